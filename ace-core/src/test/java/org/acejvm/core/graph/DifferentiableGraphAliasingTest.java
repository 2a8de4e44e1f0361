package org.acejvm.core.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.acejvm.core.ImageSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** SameDiff assigns into the first array bound to a variable; the graph must never hand it the caller's array. */
class DifferentiableGraphAliasingTest {
    @Test
    void callersArraysAreNeverOverwritten() {
        SameDiff sd = SameDiff.create();
        SDVariable x = DifferentiableGraph.inputVariable(sd, "x", new ImageSpec(1, 2, 2));
        SDVariable out = sd.identity("out", x.mul(2.0));
        DifferentiableGraph g = new DifferentiableGraph(sd, x, out.sum("loss"));
        INDArray a = Nd4j.rand(DataType.FLOAT, 3, 1, 2, 2);
        INDArray b = Nd4j.rand(DataType.FLOAT, 3, 1, 2, 2);
        INDArray aCopy = a.dup();
        INDArray bCopy = b.dup();
        g.forward(a, Map.of(), "out");
        assertThat(g.forward(b, Map.of(), "out").get("out")).isEqualTo(b.mul(2.0));
        g.forwardBackward(a, Map.of(), List.of("out"));
        g.forwardBackward(b, Map.of(), List.of("out"));
        assertThat(a).isEqualTo(aCopy);
        assertThat(b).isEqualTo(bCopy);
    }
}
