package org.acejvm.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import onnx.Onnx;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/** Bad files fail at load with a {@link ModelFormatException} that says what is wrong; external data works. */
class OnnxErrorsTest {
    @TempDir
    Path tmp;

    private static Onnx.ModelProto smallCnn() throws IOException {
        return Onnx.ModelProto.parseFrom(Files.readAllBytes(Fixture.of("small_cnn").model()));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    /** The small CNN with its initializers moved to external data at {@code location} (relative to the model). */
    private static Onnx.ModelProto withExternalData(Onnx.ModelProto m, String location, ByteBuffer[] data) {
        Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
        long offset = 0;
        ByteBuffer all = ByteBuffer.allocate(10_000_000).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < g.getInitializerCount(); i++) {
            Onnx.TensorProto t = g.getInitializer(i);
            byte[] raw = t.getRawData().toByteArray();
            all.put(raw);
            g.setInitializer(i, t.toBuilder().clearRawData().setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", location)).addExternalData(entry("offset", Long.toString(offset)))
                    .addExternalData(entry("length", Integer.toString(raw.length))).build());
            offset += raw.length;
        }
        all.flip();
        data[0] = all;
        return m.toBuilder().setGraph(g).build();
    }

    private static Onnx.StringStringEntryProto entry(String k, String v) {
        return Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void unsupportedOperatorNamesOpTypeNodeAndOpset() throws IOException {
        Onnx.ModelProto m = smallCnn();
        Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
        g.setNode(0, g.getNode(0).toBuilder().setOpType("NonMaxSuppression").setName("my_nms").build());
        Path p = write("nms/model.onnx", m.toBuilder().setGraph(g).build().toByteArray());
        assertThatThrownBy(() -> OnnxModel.load(p))
                .isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("NonMaxSuppression").hasMessageContaining("my_nms").hasMessageContaining("opset 13")
                .satisfies(e -> {
                    UnsupportedOperatorException u = (UnsupportedOperatorException) e;
                    assertThat(u.opType()).isEqualTo("NonMaxSuppression");
                    assertThat(u.nodeName()).isEqualTo("my_nms");
                    assertThat(u.opset()).isEqualTo(13);
                });
    }

    @Test
    void unsupportedOperatorFormNamesNode() throws IOException {
        Onnx.ModelProto m = withConvAttribute(Onnx.AttributeProto.newBuilder().setName("auto_pad")
                .setType(Onnx.AttributeProto.AttributeType.STRING).setS(org.nd4j.shade.protobuf.ByteString.copyFromUtf8("SAME_MIDDLE")));
        Path p = write("autopad/model.onnx", m.toByteArray());
        assertThatThrownBy(() -> OnnxModel.load(p)).isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("Conv").hasMessageContaining(firstConv(m).getName()).hasMessageContaining("auto_pad SAME_MIDDLE");
    }

    @Test
    void groupsThatDoNotFitTheChannelsNameTheNode() throws IOException {
        // the small CNN's first Conv has 1 input channel: 2 groups cannot split it
        Onnx.ModelProto m = withConvAttribute(Onnx.AttributeProto.newBuilder().setName("group")
                .setType(Onnx.AttributeProto.AttributeType.INT).setI(2));
        Path p = write("grouped/model.onnx", m.toByteArray());
        assertThatThrownBy(() -> OnnxModel.load(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(firstConv(m).getName()).hasMessageContaining("group=2");
    }

    /** The small CNN with {@code attribute} set on its first Conv (replacing one of the same name). */
    private Onnx.ModelProto withConvAttribute(Onnx.AttributeProto.Builder attribute) throws IOException {
        Onnx.ModelProto m = smallCnn();
        Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
        int conv = 0;
        while (!g.getNode(conv).getOpType().equals("Conv")) conv++;
        Onnx.NodeProto.Builder n = g.getNode(conv).toBuilder().clearAttribute();
        for (Onnx.AttributeProto a : g.getNode(conv).getAttributeList()) if (!a.getName().equals(attribute.getName())) n.addAttribute(a);
        g.setNode(conv, n.addAttribute(attribute).build());
        return m.toBuilder().setGraph(g).build();
    }

    private static Onnx.NodeProto firstConv(Onnx.ModelProto m) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).findFirst().orElseThrow();
    }

    @Test
    void corruptFileIsRejected() throws IOException {
        byte[] junk = new byte[4096];
        new java.util.Random(3).nextBytes(junk);
        Path p = write("junk.onnx", junk);
        assertThatThrownBy(() -> OnnxModel.load(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("junk.onnx").hasMessageContaining("not a valid ONNX model");
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        byte[] full = smallCnn().toByteArray();
        for (double frac : new double[] {0.1, 0.5, 0.9, 0.999}) {
            byte[] part = java.util.Arrays.copyOf(full, (int) (full.length * frac));
            Path p = write("truncated" + frac + ".onnx", part);
            assertThatThrownBy(() -> OnnxModel.load(p)).as("truncated at " + frac).isInstanceOf(ModelFormatException.class);
        }
    }

    @Test
    void missingFileIsRejected() {
        assertThatThrownBy(() -> OnnxModel.load(tmp.resolve("nothing.onnx"))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void externalDataOutsideTheModelFolderIsRejected() throws IOException {
        ByteBuffer[] data = new ByteBuffer[1];
        Onnx.ModelProto m = withExternalData(smallCnn(), "../weights.bin", data);
        write("weights.bin", bytes(data[0]));  // exists, but outside the model's folder
        Path p = write("model_dir/model.onnx", m.toByteArray());
        assertThatThrownBy(() -> OnnxModel.load(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("../weights.bin").hasMessageContaining("outside the model folder");
        Onnx.ModelProto abs = withExternalData(smallCnn(), tmp.resolve("weights.bin").toString(), data);
        Path q = write("model_abs/model.onnx", abs.toByteArray());
        assertThatThrownBy(() -> OnnxModel.load(q)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("outside the model folder");
    }

    @Test
    void missingExternalDataFileIsRejected() throws IOException {
        ByteBuffer[] data = new ByteBuffer[1];
        Path p = write("no_data/model.onnx", withExternalData(smallCnn(), "weights.bin", data).toByteArray());
        assertThatThrownBy(() -> OnnxModel.load(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("weights.bin").hasMessageContaining("not found");
    }

    @Test
    void truncatedExternalDataFileIsRejected() throws IOException {
        ByteBuffer[] data = new ByteBuffer[1];
        Path p = write("short_data/model.onnx", withExternalData(smallCnn(), "weights.bin", data).toByteArray());
        byte[] all = bytes(data[0]);
        write("short_data/weights.bin", java.util.Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> OnnxModel.load(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("weights.bin").hasMessageContaining("truncated");
    }

    @Test
    void externalDataInTheModelFolderLoadsAndComputesTheSame() throws IOException {
        ByteBuffer[] data = new ByteBuffer[1];
        Path p = write("ext/model.onnx", withExternalData(smallCnn(), "data/weights.bin", data).toByteArray());
        write("ext/data/weights.bin", bytes(data[0]));
        Fixture f = Fixture.of("small_cnn");
        OnnxModel ext = OnnxModel.load(p);
        SameDiff sd = SameDiff.create();
        SDVariable y = ext.call1(sd, "net", sd.constant("x", f.inputs().get(0)));
        INDArray out = sd.output(new HashMap<>(), y.name()).get(y.name());
        assertThat(Fixture.relError(out, f.outputs().get(0))).isLessThanOrEqualTo(1e-4);
        assertThat(ext.inputNames()).isEqualTo(List.of("x"));
    }

    @Test
    void rawDataOfTheWrongSizeIsRejected() throws IOException {
        Onnx.ModelProto m = smallCnn();
        Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
        Onnx.TensorProto t = g.getInitializer(0);
        g.setInitializer(0, t.toBuilder().setRawData(ByteString.copyFrom(t.getRawData().toByteArray(), 0, 8)).build());
        Path p = write("short_raw/model.onnx", m.toBuilder().setGraph(g).build().toByteArray());
        assertThatThrownBy(() -> OnnxModel.load(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(t.getName()).hasMessageContaining("raw data has 8 bytes");
    }

    @Test
    void unsupportedOpsetIsRejected() throws IOException {
        Onnx.ModelProto m = smallCnn();
        Onnx.ModelProto old = m.toBuilder().setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(7)).build();
        Path p = write("old/model.onnx", old.toByteArray());
        assertThatThrownBy(() -> OnnxModel.load(p)).isInstanceOf(ModelFormatException.class).hasMessageContaining("opset 7");
    }

    @Test
    void wrongInputsAtCallTimeAreRejected() {
        OnnxModel m = OnnxModel.load(Fixture.of("small_cnn").model());
        SameDiff sd = SameDiff.create();
        assertThatThrownBy(() -> m.call(sd, "c")).isInstanceOf(org.acejvm.core.InvalidInputException.class)
                .hasMessageContaining("takes 1 inputs");
        SDVariable wrong = sd.placeHolder("w", org.nd4j.linalg.api.buffer.DataType.FLOAT, -1, 3, 32, 32);
        assertThatThrownBy(() -> m.call(sd, "c", wrong)).isInstanceOf(org.acejvm.core.InvalidInputException.Shape.class)
                .hasMessageContaining("[-1, 1, 32, 32]");
        SDVariable ok = sd.placeHolder("x", org.nd4j.linalg.api.buffer.DataType.FLOAT, -1, 1, 32, 32);
        m.call(sd, "c", ok);
        assertThatThrownBy(() -> m.call(sd, "c", ok)).isInstanceOf(org.acejvm.core.InvalidInputException.class)
                .hasMessageContaining("already used");
    }
}
