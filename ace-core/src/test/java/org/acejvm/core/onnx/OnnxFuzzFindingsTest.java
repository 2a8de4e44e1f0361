package org.acejvm.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import onnx.Onnx;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;

/**
 * Regression tests of what fuzzing the ONNX loader found (HostileInputFuzzTest#onnx); each finding's input is also
 * replayed from HostileInputFuzzTestInputs/onnx/crash-*.
 */
class OnnxFuzzFindingsTest {
    static Onnx.TensorProto longs(String name, long... v) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        return t.build();
    }

    static Onnx.NodeProto node(String op, String out, String... in) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(out + "_node").addOutput(out);
        for (String i : in) n.addInput(i);
        return n.build();
    }

    /** A model computing "y" with {@code nodes}; an int64 input "k" [N, 3] when {@code withInput}. */
    static byte[] model(List<Onnx.NodeProto> nodes, List<Onnx.TensorProto> inits, boolean withInput) {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("g").addAllNode(nodes).addAllInitializer(inits)
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y"));
        if (withInput) {
            Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                    .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                    .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(3));
            g.addInput(Onnx.ValueInfoProto.newBuilder().setName("k").setType(Onnx.TypeProto.newBuilder()
                    .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(7).setShape(shape))));
        }
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray();
    }

    /**
     * Finding: an integer Div by 0 among the constants folded at import killed the JVM (SIGFPE in libnd4jcpu's
     * ScalarTransform Divide); so would one in the graph at run time, and the smallest integer divided by -1.
     */
    @Test
    void integerDivisionsThatTrapInTheNativeLibraryAreRefused() {
        byte[] folded = model(List.of(node("Div", "y", "a", "b")), List.of(longs("a", 6, 7), longs("b", 0)), false);
        assertThatThrownBy(() -> OnnxModel.load(folded, "div0.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("div0.onnx").hasMessageContaining("'y_node' (Div").hasMessageContaining("holds 0");
        byte[] minusOne = model(List.of(node("Div", "y", "a", "b")), List.of(longs("a", Long.MIN_VALUE), longs("b", -1)), false);
        assertThatThrownBy(() -> OnnxModel.load(minusOne, "divm1.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("holds -1");
        byte[] atRunTime = model(List.of(node("Div", "y", "k", "b")), List.of(longs("b", 2, 0, 1)), true);
        assertThatThrownBy(() -> OnnxModel.load(atRunTime, "divk.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("holds 0");
        byte[] computedDivisor = model(List.of(node("Div", "y", "b", "k")), List.of(longs("b", 2, 3, 1)), true);
        assertThatThrownBy(() -> OnnxModel.load(computedDivisor, "divc.onnx")).isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("constant divisor");
        // integer division by a safe constant still folds and translates
        OnnxModel ok = OnnxModel.load(model(List.of(node("Div", "y", "a", "b")), List.of(longs("a", 6, 7), longs("b", 2)), false), "div2.onnx");
        assertThat(ok.outputShape("y")).containsExactly(2);
    }
    /** Finding: a node without outputs made the translator throw IndexOutOfBoundsException. */
    @Test
    void aNodeWithoutOutputsIsAFormatError() {
        Onnx.NodeProto noOutput = Onnx.NodeProto.newBuilder().setOpType("Relu").setName("r").addInput("a").build();
        byte[] bytes = model(List.of(noOutput, node("Identity", "y", "a")), List.of(longs("a", 1)), false);
        assertThatThrownBy(() -> OnnxModel.load(bytes, "noout.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("noout.onnx").hasMessageContaining("'r' (Relu) has no first output");
    }
    /** Finding: Mul(x, Sigmoid()) with a Sigmoid without inputs made the SiLU fusion throw IndexOutOfBoundsException. */
    @Test
    void aSigmoidWithoutInputsIsNotFusedAndIsAFormatError() {
        Onnx.NodeProto sigmoid = Onnx.NodeProto.newBuilder().setOpType("Sigmoid").setName("s").addOutput("s_out").build();
        byte[] bytes = model(List.of(sigmoid, node("Mul", "y", "k", "s_out")), List.of(), true);
        assertThatThrownBy(() -> OnnxModel.load(bytes, "sigmoid.onnx")).isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("Sigmoid (node 's'").hasMessageContaining("input 0 is missing");
    }
    /** Finding: a graph output with two batch-dependent dimensions escaped as the translator's internal ShapeException. */
    @Test
    void anOutputWithTwoBatchDependentDimensionsIsAFormatError() {
        // y = k^T k: [3, N] x [N, 3] is fine, but k x k^T is [N, N]
        Onnx.NodeProto t = Onnx.NodeProto.newBuilder().setOpType("Transpose").setName("t").addInput("kf").addOutput("kt").build();
        Onnx.NodeProto cast = Onnx.NodeProto.newBuilder().setOpType("Cast").setName("c").addInput("k").addOutput("kf")
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("to").setType(Onnx.AttributeProto.AttributeType.INT).setI(1)).build();
        byte[] bytes = model(List.of(cast, t, node("MatMul", "y", "kf", "kt")), List.of(), true);
        assertThatThrownBy(() -> OnnxModel.load(bytes, "nn.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("nn.onnx").hasMessageContaining("graph output 'y'")
                .hasMessageContaining("more than one batch-dependent dimension")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(OnnxModel.INTERNAL_ERROR));
    }

    /** Finding: a graph output listed as a node's second output, which its operator lacks, made the translator throw NullPointerException. */
    @Test
    void anOutputAnOperatorDoesNotHaveIsAFormatError() {
        Onnx.NodeProto concat = Onnx.NodeProto.newBuilder().setOpType("Concat").setName("c").addInput("a").addOutput("z").addOutput("y")
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("axis").setType(Onnx.AttributeProto.AttributeType.INT).setI(0)).build();
        byte[] bytes = model(List.of(concat), List.of(longs("a", 1)), false);
        assertThatThrownBy(() -> OnnxModel.load(bytes, "extra.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("extra.onnx").hasMessageContaining("graph output 'y' is an extra output")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(OnnxModel.INTERNAL_ERROR));
    }

    /**
     * Finding: Expand to a shape operand of 1.5 million elements (a ConstantOfShape within the constant limits) built a
     * shape of that many dimensions, 300 MB of Java heap from a 2 kB file.
     */
    @Test
    void aShapeOperandLongerThanTheLargestRankIsAFormatError() {
        long[] ones = new long[Shapes.MAX_RANK + 1];
        java.util.Arrays.fill(ones, 1);
        byte[] bytes = model(List.of(node("Expand", "y", "k", "s")), List.of(longs("s", ones)), true);
        assertThatThrownBy(() -> OnnxModel.load(bytes, "rank.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("rank.onnx").hasMessageContaining("'shape' has 33 elements")
                .hasMessageContaining("at most 32 dimensions");
    }

    /**
     * Finding: Reciprocal of an integer constant holding 0, folded at import, killed the JVM (SIGFPE in libnd4jcpu's
     * TransformSame Reciprocal); operators ONNX defines on floating-point tensors only now refuse integer inputs, and
     * so does Pow of an integer base to a negative exponent.
     */
    @Test
    void floatOnlyOperatorsRefuseIntegerInputs() {
        byte[] folded = model(List.of(node("Reciprocal", "y", "a")), List.of(longs("a", 2, 0)), false);
        assertThatThrownBy(() -> OnnxModel.load(folded, "recip.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("recip.onnx").hasMessageContaining("'y_node' (Reciprocal")
                .hasMessageContaining("integer tensor; Reciprocal takes floating-point tensors");
        byte[] atRunTime = model(List.of(node("Sigmoid", "y", "k")), List.of(), true);
        assertThatThrownBy(() -> OnnxModel.load(atRunTime, "sig.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("Sigmoid takes floating-point tensors");
        Onnx.TensorProto minusOne = Onnx.TensorProto.newBuilder().setName("e").setDataType(1).addFloatData(-1f).build();
        byte[] pow = model(List.of(node("Pow", "y", "a", "e")), List.of(longs("a", 2, 0), minusOne), false);
        assertThatThrownBy(() -> OnnxModel.load(pow, "pow.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("Pow takes floating-point tensors");
        // integer Relu, Neg and Abs are ONNX operators and still translate
        OnnxModel ok = OnnxModel.load(model(List.of(node("Neg", "y", "a")), List.of(longs("a", 2, 0)), false), "neg.onnx");
        assertThat(ok.outputShape("y")).containsExactly(2);
    }
}
