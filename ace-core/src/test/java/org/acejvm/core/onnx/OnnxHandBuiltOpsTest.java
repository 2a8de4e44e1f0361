package org.acejvm.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Operators PyTorch 1.13 does not emit for the fixture models, in single-node graphs built here: forward against
 * an ND4J computation, float64 input gradient against central finite differences.
 */
class OnnxHandBuiltOpsTest {
    @TempDir
    Path tmp;

    private static Onnx.ValueInfoProto input(String name, long... dims) {
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
        s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : dims) s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    private Path model(String name, Onnx.NodeProto node, List<Onnx.ValueInfoProto> inputs) throws IOException {
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName(name).addNode(node).addAllInput(inputs)
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y")).build();
        Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
        Path p = tmp.resolve(name + ".onnx");
        Files.write(p, m.toByteArray());
        return p;
    }

    private static double check(OnnxModel m, List<INDArray> in, INDArray expected) {
        INDArray r = Nd4j.rand(DataType.DOUBLE, expected.shape()).subi(0.5);
        Harness h = new Harness(m.withFloatType(DataType.DOUBLE), in, List.of(r));
        assertThat(Fixture.relError(h.forward().get(0), expected)).isLessThanOrEqualTo(1e-12);
        return OnnxOperatorsTest.finiteDifferenceError(h);
    }

    @Test
    void globalMaxPool() throws IOException {
        Path p = model("gmp", Onnx.NodeProto.newBuilder().setOpType("GlobalMaxPool").setName("gmp").addInput("x")
                .addOutput("y").build(), List.of(input("x", 3, 5, 4)));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 5, 4);
        assertThat(check(OnnxModel.load(p), List.of(x), x.max(true, 2, 3))).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void einsumWithGroupedIndices() throws IOException {
        // two batch indices and a transposed output: the general path (permute, reshape, one mmul, reshape)
        Onnx.NodeProto node = Onnx.NodeProto.newBuilder().setOpType("Einsum").setName("ein").addInput("a").addInput("b")
                .addOutput("y").addAttribute(Onnx.AttributeProto.newBuilder().setName("equation")
                        .setType(Onnx.AttributeProto.AttributeType.STRING)
                        .setS(org.nd4j.shade.protobuf.ByteString.copyFromUtf8("bhtc,bhsc->bsht"))).build();
        Path p = model("ein", node, List.of(input("a", 2, 4, 3), input("b", 2, 5, 3)));
        INDArray a = Nd4j.rand(DataType.DOUBLE, 2, 2, 4, 3), b = Nd4j.rand(DataType.DOUBLE, 2, 2, 5, 3);
        INDArray want = Nd4j.zeros(DataType.DOUBLE, 2, 5, 2, 4);
        for (int n = 0; n < 2; n++) for (int h = 0; h < 2; h++) for (int t = 0; t < 4; t++) for (int s = 0; s < 5; s++) {
            double v = 0;
            for (int c = 0; c < 3; c++) v += a.getDouble(n, h, t, c) * b.getDouble(n, h, s, c);
            want.putScalar(new long[] {n, s, h, t}, v);
        }
        assertThat(check(OnnxModel.load(p), List.of(a, b), want)).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void variadicSum() throws IOException {
        Path p = model("sum", Onnx.NodeProto.newBuilder().setOpType("Sum").setName("sum").addInput("a").addInput("b")
                .addInput("c").addOutput("y").build(), List.of(input("a", 4), input("b", 4), input("c", 4)));
        INDArray a = Nd4j.rand(DataType.DOUBLE, 2, 4), b = Nd4j.rand(DataType.DOUBLE, 2, 4), c = Nd4j.rand(DataType.DOUBLE, 2, 4);
        assertThat(check(OnnxModel.load(p), List.of(a, b, c), a.add(b).add(c))).isLessThanOrEqualTo(1e-6);
    }
}
