package org.acejvm.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImagesTest {
    @TempDir Path dir;

    /** Values on the 1/255 grid survive PNG exactly. */
    private static INDArray quantised(long... shape) {
        INDArray x = Nd4j.rand(DataType.FLOAT, shape).mul(255);
        return org.nd4j.linalg.ops.transforms.Transforms.round(x).div(255).castTo(DataType.FLOAT);
    }

    @Test
    void rgbPngRoundTripIsExact() {
        INDArray x = quantised(1, 3, 5, 7);
        Path f = dir.resolve("rgb.png");
        Images.write(x, f);
        INDArray back = Images.read(f, 3);
        assertThat(back.shape()).containsExactly(1, 3, 5, 7);
        assertThat(back.sub(x).amaxNumber().doubleValue()).isLessThan(1e-6);
    }

    @Test
    void greyPngRoundTripIsExact() {
        INDArray x = quantised(1, 1, 6, 4);
        Path f = dir.resolve("grey.png");
        Images.write(x, f);
        INDArray back = Images.read(f, 1);
        assertThat(back.shape()).containsExactly(1, 1, 6, 4);
        assertThat(back.sub(x).amaxNumber().doubleValue()).isLessThan(1e-6);
    }

    @Test
    void jpegRoundTripIsClose() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 1, 3, 16, 16).mul(0.4);
        Path f = dir.resolve("flat.jpg");
        Images.write(x, f);
        assertThat(Images.read(f, 3).sub(x).amaxNumber().doubleValue()).isLessThan(0.02);
    }

    @Test
    void readingRgbAsGreyUsesLuma() {
        INDArray red = Nd4j.zeros(DataType.FLOAT, 1, 3, 2, 2);
        red.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0)).assign(1.0);
        Path f = dir.resolve("red.png");
        Images.write(red, f);
        assertThat(Images.read(f, 1).getDouble(0, 0, 0, 0)).isCloseTo(0.299, within(1e-3));
    }

    @Test
    void resizeKeepsConstantsAndInterpolates() {
        INDArray c = Nd4j.ones(DataType.FLOAT, 2, 3, 7, 5).mul(0.25);
        INDArray r = Images.resize(c, 14, 3);
        assertThat(r.shape()).containsExactly(2, 3, 14, 3);
        assertThat(r.sub(0.25).amaxNumber().doubleValue()).isLessThan(1e-6);
        // a left-to-right ramp [0, 1] upsampled 2x: inner samples at 1/4 and 3/4 between pixels
        INDArray ramp = Nd4j.create(new float[] {0f, 1f}, new long[] {1, 1, 1, 2});
        assertThat(Images.resize(ramp, 1, 4).dup('c').data().asFloat()).containsExactly(0f, 0.25f, 0.75f, 1f);
    }

    @Test
    void readWithResizeGivesTheModelSize() {
        Path f = dir.resolve("big.png");
        Images.write(quantised(1, 3, 20, 30), f);
        assertThat(Images.read(f, 3, 10, 10).shape()).containsExactly(1, 3, 10, 10);
    }

    @Test
    void gridLaysRowsSideBySide() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 4, 3, 8, 8);
        INDArray b = Nd4j.ones(DataType.FLOAT, 4, 3, 8, 8);
        BufferedImage g = Images.grid(List.of(a, b), 2, 2);
        assertThat(g.getWidth()).isEqualTo(4 * (16 + 2) + 2);
        assertThat(g.getHeight()).isEqualTo(2 * (16 + 2) + 2);
        assertThat(g.getRGB(3, 3) & 0xFFFFFF).isEqualTo(0x000000);          // row 0: black cell
        assertThat(g.getRGB(3, 2 + 18 + 1) & 0xFFFFFF).isEqualTo(0xFFFFFF); // row 1: white cell
        assertThatThrownBy(() -> Images.grid(List.of(a, Nd4j.zeros(DataType.FLOAT, 3, 3, 8, 8)), 2, 1))
                .isInstanceOf(InvalidInputException.Shape.class);
    }

    @Test
    void heatMapIsBlackForZeroAndWhiteAtTheMaximum() {
        INDArray m = Nd4j.create(new float[] {0f, 1f, 2f, 4f}, new long[] {1, 2, 2});
        INDArray h = Images.heatMap(m);
        assertThat(h.shape()).containsExactly(1, 3, 2, 2);
        assertThat(h.getDouble(0, 0, 0, 0)).isZero();
        assertThat(h.getDouble(0, 2, 1, 1)).isEqualTo(1.0);
    }

    @Test
    void heatMapOnAFixedScaleIsWhiteOnlyAtThatScale() {
        INDArray m = Nd4j.create(new float[] {0f, 1f, 4f, 16f}, new long[] {1, 2, 2});
        INDArray h = Images.heatMap(m, 8);
        // 4 of 8: red 1, green 0.5, blue 0
        assertThat(h.getDouble(0, 0, 1, 0)).isEqualTo(1.0);
        assertThat(h.getDouble(0, 1, 1, 0)).isCloseTo(0.5, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(h.getDouble(0, 2, 1, 0)).isZero();
        assertThat(h.getDouble(0, 2, 1, 1)).as("above the scale: white").isEqualTo(1.0);
        assertThat(Images.heatMap(m, 0).maxNumber().doubleValue()).isZero();
    }

    @Test
    void missingOrBrokenFilesGiveClearErrors() throws Exception {
        assertThatThrownBy(() -> Images.read(dir.resolve("nope.png"), 3))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("not found");
        Path junk = dir.resolve("junk.png");
        Files.writeString(junk, "not an image");
        assertThatThrownBy(() -> Images.read(junk, 3)).isInstanceOf(ModelFormatException.class).hasMessageContaining("junk.png");
        assertThatThrownBy(() -> Images.write(Nd4j.zeros(DataType.FLOAT, 1, 3, 2, 2), dir.resolve("x.bmp")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(".png");
        assertThatThrownBy(() -> Images.read(junk, 2)).isInstanceOf(InvalidInputException.Shape.class);
    }

    // ---- bit-exact reading from the raster (no sRGB gamma conversion) ----

    /** Writes {@code img} as PNG with ImageIO and returns the file. */
    private Path png(BufferedImage img, String name) throws Exception {
        Path f = dir.resolve(name);
        assertThat(ImageIO.write(img, "png", f.toFile())).as("a PNG writer for " + name).isTrue();
        return f;
    }

    /** Every 8-bit value once, as a 16 x 16 plane (129 = 0.5059 is the value getRGB misread as 0.7412). */
    private static int[] allBytes() {
        int[] v = new int[256];
        for (int i = 0; i < 256; i++) v[i] = (i * 73 + 129) % 256; // a permutation starting at 129
        return v;
    }

    private static BufferedImage image(ImageTypeSpecifier type, int w, int h, int[]... bands) {
        BufferedImage img = type.createBufferedImage(w, h);
        WritableRaster r = img.getRaster();
        for (int b = 0; b < bands.length; b++) r.setSamples(0, 0, w, h, b, bands[b]);
        return img;
    }

    private static int[] times(int[] v, int k) {
        return Arrays.stream(v).map(x -> x * k).toArray();
    }

    private static float[] floats(INDArray x) {
        return x.dup('c').data().asFloat();
    }

    @Test
    void sixteenBitGreyReadsBitForBitAsEightBitGrey() throws Exception {
        int[] v = allBytes();
        Path g8 = png(image(ImageTypeSpecifier.createGrayscale(8, DataBuffer.TYPE_BYTE, false), 16, 16, v), "g8.png");
        Path g16 = png(image(ImageTypeSpecifier.createGrayscale(16, DataBuffer.TYPE_USHORT, false), 16, 16, times(v, 257)), "g16.png");
        float[] want = new float[256];
        for (int i = 0; i < 256; i++) want[i] = v[i] / 255f;
        assertThat(floats(Images.read(g8, 1))).containsExactly(want);
        assertThat(floats(Images.read(g16, 1))).as("16-bit grey = 257 x 8-bit, bit for bit").containsExactly(want);
        assertThat(Images.read(g16, 1).getFloat(0, 0, 0, 0)).isEqualTo(129 / 255f); // 0.5059, was 0.7412
        float[] rgb = floats(Images.read(g16, 3));
        for (int c = 0; c < 3; c++) {
            assertThat(Arrays.copyOfRange(rgb, c * 256, c * 256 + 256)).as("grey repeated to RGB, channel " + c).containsExactly(want);
        }
    }

    @Test
    void greyWithAlphaIsCompositedOverBlackAt8And16Bits() throws Exception {
        int[] v = allBytes();
        int[] a = new int[256];
        for (int i = 0; i < 256; i++) a[i] = i % 3 == 0 ? 255 : (i * 31) % 256; // opaque, transparent and partial
        Path ga8 = png(image(ImageTypeSpecifier.createGrayscale(8, DataBuffer.TYPE_BYTE, false, false), 16, 16, v, a), "ga8.png");
        Path ga16 = png(image(ImageTypeSpecifier.createGrayscale(16, DataBuffer.TYPE_USHORT, false, false), 16, 16,
                times(v, 257), times(a, 257)), "ga16.png");
        float[] want = new float[256];
        for (int i = 0; i < 256; i++) want[i] = v[i] / 255f * (a[i] / 255f);
        assertThat(floats(Images.read(ga8, 1))).containsExactly(want);
        assertThat(floats(Images.read(ga16, 1))).containsExactly(want);
        float[] got = floats(Images.read(ga8, 1));
        assertThat(got[0]).as("opaque: the stored value").isEqualTo(129 / 255f);
        assertThat(got[1]).as("alpha 31 of 255").isEqualTo(v[1] / 255f * (31 / 255f));
    }

    @Test
    void rgbAndRgbaAt8And16BitsReadTheirSamples() throws Exception {
        int[] r = allBytes(), g = times(r, 1), b = new int[256], a = new int[256];
        for (int i = 0; i < 256; i++) {
            g[i] = 255 - r[i];
            b[i] = (r[i] * 7) % 256;
            a[i] = i % 2 == 0 ? 255 : i;
        }
        ColorSpace srgb = ColorSpace.getInstance(ColorSpace.CS_sRGB);
        Path rgb8 = png(image(ImageTypeSpecifier.createInterleaved(srgb, new int[] {0, 1, 2}, DataBuffer.TYPE_BYTE, false, false),
                16, 16, r, g, b), "rgb8.png");
        Path rgb16 = png(image(ImageTypeSpecifier.createInterleaved(srgb, new int[] {0, 1, 2}, DataBuffer.TYPE_USHORT, false, false),
                16, 16, times(r, 257), times(g, 257), times(b, 257)), "rgb16.png");
        Path rgba8 = png(image(ImageTypeSpecifier.createInterleaved(srgb, new int[] {0, 1, 2, 3}, DataBuffer.TYPE_BYTE, true, false),
                16, 16, r, g, b, a), "rgba8.png");
        Path rgba16 = png(image(ImageTypeSpecifier.createInterleaved(srgb, new int[] {0, 1, 2, 3}, DataBuffer.TYPE_USHORT, true, false),
                16, 16, times(r, 257), times(g, 257), times(b, 257), times(a, 257)), "rgba16.png");
        float[] want = new float[3 * 256], wantOverBlack = new float[3 * 256];
        int[][] planes = {r, g, b};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 256; i++) {
                want[c * 256 + i] = planes[c][i] / 255f;
                wantOverBlack[c * 256 + i] = planes[c][i] / 255f * (a[i] / 255f);
            }
        }
        assertThat(floats(Images.read(rgb8, 3))).containsExactly(want);
        assertThat(floats(Images.read(rgb16, 3))).containsExactly(want);
        assertThat(floats(Images.read(rgba8, 3))).containsExactly(wantOverBlack);
        assertThat(floats(Images.read(rgba16, 3))).containsExactly(wantOverBlack);
        // the int-packed ARGB layout Java programs make reads the same
        BufferedImage argb = new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB);
        for (int i = 0; i < 256; i++) argb.setRGB(i % 16, i / 16, (a[i] << 24) | (r[i] << 16) | (g[i] << 8) | b[i]);
        assertThat(floats(Images.fromBufferedImage(argb, 3))).containsExactly(wantOverBlack);
    }

    @Test
    void lowBitGreyAndPalettesReadTheirEntries() throws Exception {
        for (int bits : new int[] {1, 2, 4}) {
            int levels = (1 << bits) - 1;
            int[] v = new int[64];
            for (int i = 0; i < 64; i++) v[i] = (i * 5) % (levels + 1);
            Path f = png(image(ImageTypeSpecifier.createGrayscale(bits, DataBuffer.TYPE_BYTE, false), 8, 8, v), "grey" + bits + ".png");
            float[] want = new float[64];
            for (int i = 0; i < 64; i++) want[i] = v[i] / (float) levels;
            assertThat(floats(Images.read(f, 1))).as(bits + "-bit grey").containsExactly(want);
        }
        // a 2-bit palette with a transparent and a half-transparent entry
        byte[] pr = {(byte) 255, 0, 10, (byte) 200}, pg = {0, (byte) 255, 20, 100}, pb = {0, 0, 30, 50}, pa = {(byte) 255, (byte) 255, 0, (byte) 128};
        IndexColorModel icm = new IndexColorModel(2, 4, pr, pg, pb, pa);
        BufferedImage pal = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_BINARY, icm);
        pal.getRaster().setSamples(0, 0, 4, 1, 0, new int[] {0, 1, 2, 3});
        Path f = png(pal, "palette.png");
        float[] want = new float[12];
        for (int c = 0; c < 3; c++) {
            byte[] e = c == 0 ? pr : c == 1 ? pg : pb;
            for (int i = 0; i < 4; i++) want[c * 4 + i] = (e[i] & 0xFF) / 255f * ((pa[i] & 0xFF) / 255f);
        }
        assertThat(floats(Images.read(f, 3))).containsExactly(want);
    }

    // ---- size from the header, truncated files ----

    /** A 1x1 grey PNG whose header declares width x height (IHDR patched, its CRC recomputed). */
    private Path declaring(int width, int height, String name) throws Exception {
        Path small = png(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY), name);
        byte[] b = Files.readAllBytes(small);
        assertThat(new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("IHDR");
        ByteBuffer buf = ByteBuffer.wrap(b);
        buf.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17); // chunk type and 13 data bytes
        buf.putInt(29, (int) crc.getValue());
        Files.write(small, b);
        return small;
    }

    @Test
    void anImageOverThePixelLimitIsRefusedFromItsHeaderBeforeDecoding() throws Exception {
        Path huge = declaring(20000, 20000, "huge.png");
        Images.read(png(new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY), "warm.png"), 1); // load ImageIO's readers first
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long bytes0 = mx.getThreadAllocatedBytes(id), t0 = System.nanoTime();
        assertThatThrownBy(() -> Images.read(huge, 1))
                .isInstanceOf(InvalidInputException.TooLarge.class)
                .hasMessageContaining("20000x20000 pixels").hasMessageContaining("limit of " + Images.DEFAULT_MAX_PIXELS)
                .hasMessageContaining(Images.MAX_PIXELS_PROPERTY);
        long ms = (System.nanoTime() - t0) / 1_000_000, allocated = mx.getThreadAllocatedBytes(id) - bytes0;
        assertThat(ms).as("refused from the header, not decoded").isLessThan(1000);
        // decoding would allocate the 400 MB raster first (the data is missing, but the decoder finds out later)
        assertThat(allocated).as("bytes allocated while refusing").isLessThan(16L << 20);
    }

    @Test
    void thePixelLimitIsConfigurable() throws Exception {
        Path f = dir.resolve("20x30.png");
        Images.write(quantised(1, 3, 30, 20), f);
        assertThatThrownBy(() -> Images.read(f, 3, 599)).isInstanceOf(InvalidInputException.TooLarge.class)
                .hasMessageContaining("20x30 pixels, over the limit of 599 pixels")
                .satisfies(e -> assertThat(((InvalidInputException.TooLarge) e).limit()).isEqualTo(599));
        assertThat(Images.read(f, 3, 600).shape()).containsExactly(1, 3, 30, 20);
    }

    @Test
    void headerOnlyAndTruncatedFilesGiveTypedErrors() throws Exception {
        Path whole = dir.resolve("whole.png");
        Images.write(quantised(1, 3, 40, 40), whole);
        byte[] b = Files.readAllBytes(whole);
        Path headerOnly = dir.resolve("header-only.png");
        Files.write(headerOnly, Arrays.copyOf(b, 33)); // signature and IHDR, no image data
        assertThatThrownBy(() -> Images.read(headerOnly, 3)).isInstanceOf(ModelFormatException.class).hasMessageContaining("header-only.png");
        Path cut = dir.resolve("cut.png");
        Files.write(cut, Arrays.copyOf(b, b.length / 2));
        assertThatThrownBy(() -> Images.read(cut, 3)).isInstanceOf(ModelFormatException.class).hasMessageContaining("cut.png");
        Path jpg = dir.resolve("whole.jpg");
        Images.write(quantised(1, 3, 64, 64), jpg);
        byte[] j = Files.readAllBytes(jpg);
        Path cutJpg = dir.resolve("cut.jpg");
        Files.write(cutJpg, Arrays.copyOf(j, j.length / 2));
        assertThatThrownBy(() -> Images.read(cutJpg, 3)).as("a truncated JPEG is not filled in silently")
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("cut.jpg");
        Path headerOnlyJpg = dir.resolve("header-only.jpg");
        Files.write(headerOnlyJpg, Arrays.copyOf(j, 200));
        assertThatThrownBy(() -> Images.read(headerOnlyJpg, 3)).isInstanceOf(ModelFormatException.class);
    }
}
