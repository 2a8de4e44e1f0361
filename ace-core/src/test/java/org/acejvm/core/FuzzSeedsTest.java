package org.acejvm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import onnx.Onnx;
import org.acejvm.core.io.Images;
import org.acejvm.core.io.Npy;
import org.acejvm.core.io.Npz;
import org.acejvm.core.onnx.OnnxModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The seed corpus of {@link HostileInputFuzzTest}: small valid inputs of every kind each reader accepts, in
 * {@code src/test/resources/org/acejvm/core/HostileInputFuzzTestInputs/<method>/}. The ONNX and .npy seeds are copies of
 * the test fixtures; the .npz and image seeds are written here. Rewrite them (from the repository root) with
 *
 * <pre>
 * mvn -B -o -pl ace-core -am test -Dtest=FuzzSeedsTest -Dsurefire.failIfNoSpecifiedTests=false -Dace.fuzz.writeSeeds=true
 * </pre>
 *
 * (PNG and JPEG bytes depend on the JDK's encoders, so the files are not compared byte for byte.) The default build
 * checks that every committed seed that is not a finding still reads without error, so the corpus stays valid.
 */
class FuzzSeedsTest {
    static final Path INPUTS = Path.of("src/test/resources/org/acejvm/core/HostileInputFuzzTestInputs");
    /** Small fixture models: every operator family of the translator, constant folding, shape arithmetic. */
    static final List<String> ONNX_FIXTURES = List.of("maxpool", "softmax", "layernorm", "resize_nearest", "avgpool_pad",
            "gap_flatten_gemm", "batchnorm_relu", "reduce", "linear_matmul", "conv1d", "upsample_size", "groupnorm_silu",
            "timestep_embedding", "einsum_attention", "unary", "conv", "binary", "gather_squeeze", "expand_tile",
            "transpose", "split_concat_slice", "reshape_shape", "conv_transpose");
    static final List<String> NPY_FIXTURES = List.of("b1", "f4_1d", "f4_be", "f4_empty", "f4_fortran", "f4_le", "f4_v2",
            "f4_v3", "f8_be", "f8_scalar", "i4_be", "i8_fortran_2d", "u1");

    @Test
    @EnabledIfSystemProperty(named = "ace.fuzz.writeSeeds", matches = "true")
    void write() throws IOException {
        for (String name : ONNX_FIXTURES) put("onnx", name + ".onnx", resource("/onnx/ops/" + name + "/model.onnx"));
        put("onnx", "constant_of_shape.onnx", foldingModel("ConstantOfShape", List.of(longs("shape", 2, 3))));
        put("onnx", "range.onnx", foldingModel("Range", List.of(scalar("start", 0), scalar("limit", 5), scalar("delta", 1))));
        for (String name : NPY_FIXTURES) put("npy", name + ".npy", resource("/npy/" + name + ".npy"));
        put("npz", "stored.npz", resource("/npy/stored.npz"));
        put("npz", "deflated.npz", resource("/npy/deflated.npz"));
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        arrays.put("w", Nd4j.create(new float[] {0, 0.2f, 0.4f, 0.6f, 0.8f, 1}, new long[] {2, 3}, 'c'));
        arrays.put("n", Nd4j.createFromArray(new long[] {1, -2}));
        for (boolean deflated : new boolean[] {false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Npz.write(out, arrays, Map.of("meta.json", "{\"k\": 1}".getBytes(StandardCharsets.UTF_8)), deflated);
            put("npz", "with_other_entry_" + (deflated ? "deflated" : "stored") + ".npz", out.toByteArray());
        }
        for (Map.Entry<String, BufferedImage> e : images().entrySet()) {
            String format = e.getKey().endsWith(".jpg") ? "jpg" : "png";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ImageIO.write(e.getValue(), format, out)).as(e.getKey()).isTrue();
            put("image", e.getKey(), out.toByteArray());
        }
    }

    /** Every committed seed is a valid input of its reader (findings, named crash-*, are not). */
    @Test
    void committedSeedsAreValidInputs() throws IOException {
        assertThat(seeds("onnx")).hasSizeGreaterThanOrEqualTo(ONNX_FIXTURES.size());
        for (Path p : seeds("onnx")) OnnxModel.load(Files.readAllBytes(p), p.getFileName().toString());
        for (Path p : seeds("npy")) Npy.read(Files.readAllBytes(p));
        for (Path p : seeds("npz")) assertThat(Npz.readContents(Files.newInputStream(p), p.toString()).arrays()).isNotEmpty();
        assertThat(seeds("image")).hasSizeGreaterThanOrEqualTo(10);
        for (Path p : seeds("image")) Images.decode(Files.readAllBytes(p), p.toString(), 3);
    }

    private static List<Path> seeds(String method) throws IOException {
        try (Stream<Path> files = Files.list(INPUTS.resolve(method))) {
            return files.filter(p -> !p.getFileName().toString().startsWith("crash-")).sorted().toList();
        }
    }

    /** Tiny images of every layout {@link Images} reads: grey 1, 2, 8, 16 bits, palettes, grey+alpha, RGB(A), JPEG. */
    static Map<String, BufferedImage> images() {
        Map<String, BufferedImage> m = new LinkedHashMap<>();
        m.put("grey8.png", filled(new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_GRAY)));
        m.put("grey16.png", filled(new BufferedImage(4, 3, BufferedImage.TYPE_USHORT_GRAY)));
        m.put("binary1.png", filled(new BufferedImage(9, 2, BufferedImage.TYPE_BYTE_BINARY)));
        byte[] ramp = {0, 85, (byte) 170, (byte) 255};
        m.put("grey2_palette.png", filled(new BufferedImage(6, 3, BufferedImage.TYPE_BYTE_BINARY,
                new IndexColorModel(2, 4, ramp, ramp, ramp))));
        byte[] r = {0, (byte) 200, 10, 90}, g = {0, 20, (byte) 210, 90}, b = {0, 30, 40, (byte) 250}, a = {0, (byte) 128, (byte) 255, 60};
        m.put("palette_alpha.png", filled(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 4, r, g, b, a))));
        m.put("palette_rgb.png", filled(new BufferedImage(3, 5, BufferedImage.TYPE_BYTE_INDEXED)));
        ComponentColorModel greyAlpha = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = greyAlpha.createCompatibleWritableRaster(4, 3);
        m.put("grey_alpha.png", filled(new BufferedImage(greyAlpha, raster, false, null)));
        m.put("rgb.png", filled(new BufferedImage(5, 3, BufferedImage.TYPE_3BYTE_BGR)));
        m.put("rgba.png", filled(new BufferedImage(3, 3, BufferedImage.TYPE_4BYTE_ABGR)));
        m.put("grey.jpg", filled(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY)));
        m.put("rgb.jpg", filled(new BufferedImage(16, 8, BufferedImage.TYPE_3BYTE_BGR)));
        return m;
    }

    /** Every sample of every band set from its position, so that no two neighbouring pixels are equal. */
    private static BufferedImage filled(BufferedImage img) {
        WritableRaster r = img.getRaster();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                for (int band = 0; band < r.getNumBands(); band++) {
                    int max = img.getColorModel() instanceof IndexColorModel icm ? icm.getMapSize() - 1
                            : (1 << r.getSampleModel().getSampleSize(band)) - 1;
                    r.setSample(x, y, band, (x * 37 + y * 91 + band * 53) % (max + 1));
                }
            }
        }
        return img;
    }

    private static Onnx.TensorProto longs(String name, long... v) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        return t.build();
    }

    private static Onnx.TensorProto scalar(String name, long v) {
        return Onnx.TensorProto.newBuilder().setName(name).setDataType(7).addInt64Data(v).build();
    }

    /** A graph without inputs: one node computing "y" from the initializers (folded at import). */
    private static byte[] foldingModel(String op, List<Onnx.TensorProto> inits) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName("n").addOutput("y");
        for (Onnx.TensorProto t : inits) n.addInput(t.getName());
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName(op).addNode(n).addAllInitializer(inits)
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y")).build();
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("FuzzSeedsTest")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray();
    }

    private static byte[] resource(String name) {
        try (InputStream in = FuzzSeedsTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void put(String method, String name, byte[] bytes) throws IOException {
        Path dir = INPUTS.resolve(method);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }
}
