package org.acejvm.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Spark brings flatbuffers-java 25.2.10 where ND4J was built against 1.12.0, and in this module Spark's wins: a
 * SameDiff graph must still save to FlatBuffers and load back with the same outputs.
 */
class FlatBuffersTest {
    @Test
    void aSameDiffGraphRoundTripsThroughFlatBuffersWithSparksVersion() throws Exception {
        assertThat(com.google.flatbuffers.Constants.class.getProtectionDomain().getCodeSource().getLocation().toString())
                .contains("flatbuffers-java-25.");
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
        SDVariable w = sd.var("w", Nd4j.createFromArray(new float[][] {{-1f, 0.5f}, {0.25f, -0.75f}, {1f, 0.1f}}));
        SDVariable b = sd.var("b", Nd4j.createFromArray(0.5f, -0.25f));
        sd.nn().relu("y", x.mmul(w).add(b), 0);
        INDArray in = Nd4j.rand(DataType.FLOAT, 4, 3);
        INDArray expected = sd.output(Map.of("x", in), "y").get("y");

        ByteBuffer bytes = sd.asFlatBuffers(true);
        SameDiff restored = SameDiff.fromFlatBuffers(bytes);
        assertThat(restored.output(Map.of("x", in), "y").get("y")).isEqualTo(expected);
    }
}
