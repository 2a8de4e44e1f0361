package org.acejvm.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import onnx.Onnx;
import org.acejvm.core.InvalidInputException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few hundred bytes of ONNX can declare a constant of any size (ConstantOfShape, Expand or Range of constants,
 * all folded at import): its size is checked from its shape before it is allocated, against limits the caller sets.
 */
class OnnxConstantLimitsTest {
    @TempDir
    Path tmp;

    private static Onnx.TensorProto longs(String name, long... v) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        return t.build();
    }

    private static Onnx.TensorProto scalar(String name, int type, long v) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(type);
        return (type == 1 ? t.addFloatData(v) : t.addInt64Data(v)).build();
    }

    private static Onnx.NodeProto node(String op, String out, String... in) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(out + "_node").addOutput(out);
        for (String i : in) n.addInput(i);
        return n.build();
    }

    /** A graph without inputs whose nodes compute the output "y" from the initializers. */
    private Path model(String name, List<Onnx.NodeProto> nodes, List<Onnx.TensorProto> inits) throws IOException {
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName(name).addAllNode(nodes).addAllInitializer(inits)
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y")).build();
        Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
        Path p = tmp.resolve(name + ".onnx");
        Files.write(p, m.toByteArray());
        assertThat(Files.size(p)).as("a tiny file").isLessThan(1000);
        return p;
    }

    private void refusedFast(ThrowingCallable load, String... messageParts) throws IOException {
        // the first load in a JVM starts ND4J: not part of the time measured
        OnnxModel.load(model("warm", List.of(node("ConstantOfShape", "y", "shape")), List.of(longs("shape", 2, 2))));
        long t0 = System.nanoTime();
        var thrown = assertThatThrownBy(load).isInstanceOf(InvalidInputException.TooLarge.class);
        for (String part : messageParts) thrown.hasMessageContaining(part);
        assertThat((System.nanoTime() - t0) / 1_000_000).as("refused before allocating, ms").isLessThan(1000);
    }

    @Test
    void constantOfShapeOf2GiBIsRefusedBeforeItIsAllocated() throws IOException {
        Path p = model("cos2g", List.of(node("ConstantOfShape", "y", "shape")), List.of(longs("shape", 1 << 14, 1 << 15)));
        refusedFast(() -> OnnxModel.load(p), "ConstantOfShape", "2147483648 bytes", "over the limit of 268435456 bytes",
                OnnxModel.ConstantLimits.MAX_BYTES_PROPERTY);
    }

    @Test
    void sizesThatOverflowLongAreTheSameTypedError() throws IOException {
        Path cos = model("cos40", List.of(node("ConstantOfShape", "y", "shape")), List.of(longs("shape", 1L << 40, 1L << 40)));
        refusedFast(() -> OnnxModel.load(cos), "[1099511627776, 1099511627776]", "more than 2^63 bytes");
        Path expand = model("expand40", List.of(node("Expand", "y", "one", "shape")),
                List.of(scalar("one", 1, 1), longs("shape", 1L << 40, 1L << 40)));
        refusedFast(() -> OnnxModel.load(expand), "Expand", "more than 2^63 bytes");
    }

    @Test
    void anInitializerWhoseShapeOverflowsIsAFormatError() throws IOException {
        Onnx.TensorProto huge = Onnx.TensorProto.newBuilder().setName("w").setDataType(1).addDims(1L << 40).addDims(1L << 40).build();
        Path p = model("init40", List.of(node("Identity", "y", "w")), List.of(huge));
        assertThatThrownBy(() -> OnnxModel.load(p)).isInstanceOf(org.acejvm.core.ModelFormatException.class)
                .hasMessageContaining("too large");
    }

    @Test
    void expandAndRangeOfConstantsAreChecked() throws IOException {
        Path expand = model("expand2g", List.of(node("Expand", "y", "one", "shape")),
                List.of(scalar("one", 1, 1), longs("shape", 1 << 14, 1 << 15)));
        refusedFast(() -> OnnxModel.load(expand), "Expand", "2147483648 bytes");
        Path range = model("range", List.of(node("Range", "y", "start", "limit", "delta")),
                List.of(scalar("start", 7, 0), scalar("limit", 7, 1L << 29), scalar("delta", 7, 1)));
        refusedFast(() -> OnnxModel.load(range), "Range", "4294967296 bytes");
        Path endless = model("range0", List.of(node("Range", "y", "start", "limit", "delta")),
                List.of(scalar("start", 7, 0), scalar("limit", 7, 10), scalar("delta", 7, 0)));
        refusedFast(() -> OnnxModel.load(endless), "Range");
    }

    @Test
    void theLimitsAreConfigurableAndCountEveryFoldedConstant() throws IOException {
        // two constants of 256 x 256 float32 (262144 bytes each)
        Path p = model("two", List.of(node("ConstantOfShape", "a", "shape"), node("ConstantOfShape", "b", "shape"),
                node("Add", "y", "a", "b")), List.of(longs("shape", 256, 256)));
        OnnxModel m = OnnxModel.load(p, new OnnxModel.ConstantLimits(1 << 20, 1 << 21));
        assertThat(m.outputShape("y")).containsExactly(256, 256);
        assertThatThrownBy(() -> OnnxModel.load(p, new OnnxModel.ConstantLimits(1000, 1 << 21)))
                .isInstanceOf(InvalidInputException.TooLarge.class).hasMessageContaining("262144 bytes")
                .satisfies(e -> assertThat(((InvalidInputException.TooLarge) e).limit()).isEqualTo(1000));
        // each fits, but a, b and their folded sum y do not fit 600000 bytes together
        assertThatThrownBy(() -> OnnxModel.load(p, new OnnxModel.ConstantLimits(1 << 20, 600_000)))
                .isInstanceOf(InvalidInputException.TooLarge.class).hasMessageContaining("786432 bytes")
                .hasMessageContaining("in all").hasMessageContaining(OnnxModel.ConstantLimits.MAX_TOTAL_BYTES_PROPERTY);
    }
}
