package org.acejvm.core.io;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PNG and JPEG files to and from NCHW float32 images in [0, 1] (grey = 1 channel, RGB = 3 channels), resizing,
 * and image grids for reports.
 */
public final class Images {
    private Images() {}

    /**
     * Images with more pixels than this are refused before decoding: 2^24 (4096 x 4096). The default of
     * {@link #read(Path, int)}; set with the system property {@value #MAX_PIXELS_PROPERTY} or pass a limit to
     * {@link #read(Path, int, long)}.
     */
    public static final long DEFAULT_MAX_PIXELS = 1L << 24;
    /** System property that overrides {@link #DEFAULT_MAX_PIXELS} (e.g. {@code -Dace.images.maxPixels=50000000}). */
    public static final String MAX_PIXELS_PROPERTY = "ace.images.maxPixels";

    /**
     * Reads an image file as [1, channels, H, W]; channels 1 converts colour to grey (ITU-R BT.601 luma), 3 repeats
     * grey to RGB. Samples are read as stored, scaled by their bit depth (1, 2, 4, 8 or 16 bits; palette entries
     * looked up), without colour management or gamma conversion, so a 16-bit PNG holding 257 times the values of an
     * 8-bit one reads bit for bit the same. An alpha channel is composited over black (value times alpha).
     * Images larger than {@link #DEFAULT_MAX_PIXELS} (or the system property {@value #MAX_PIXELS_PROPERTY}) are
     * refused from their header with {@link InvalidInputException.TooLarge}.
     */
    public static INDArray read(Path file, int channels) {
        return read(file, channels, Long.getLong(MAX_PIXELS_PROPERTY, DEFAULT_MAX_PIXELS));
    }

    /** {@link #read(Path, int)} with an explicit limit on width x height, checked from the header before decoding. */
    public static INDArray read(Path file, int channels, long maxPixels) {
        checkChannels(channels);
        if (!Files.isRegularFile(file)) throw new ModelFormatException("image file not found: " + file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return fromBufferedImage(decode(in, file.toString(), maxPixels), channels, file.toString());
        } catch (IOException e) {
            throw new ModelFormatException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * PNG or JPEG bytes (an image held in memory, for example a row of a cluster's table) as [1, channels, H, W], with
     * the checks of {@link #read(Path, int)}; {@code name} names the image in errors.
     */
    public static INDArray decode(byte[] bytes, String name, int channels) {
        return decode(bytes, name, channels, Long.getLong(MAX_PIXELS_PROPERTY, DEFAULT_MAX_PIXELS));
    }

    /** {@link #decode(byte[], String, int)} with an explicit limit on width x height, checked from the header. */
    public static INDArray decode(byte[] bytes, String name, int channels, long maxPixels) {
        checkChannels(channels);
        Checks.notNull(bytes, "bytes");
        // a memory cache: ImageIO.createImageInputStream would cache a stream in a temporary file
        try (ImageInputStream in = new MemoryCacheImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return fromBufferedImage(decode(in, name, maxPixels), channels, name);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read image " + name + ": " + e.getMessage(), e);
        }
    }

    private static BufferedImage decode(ImageInputStream in, String name, long maxPixels) throws IOException {
        try {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new ModelFormatException("not a PNG or JPEG image (or unsupported format): " + name);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // the header alone gives the size: a small file can declare a huge image, whose raster the
                // decoder would allocate before finding out that the data is missing
                long w = reader.getWidth(0), h = reader.getHeight(0);
                if (w * h > maxPixels) {
                    throw new InvalidInputException.TooLarge(name + ": image is " + w + "x" + h + " pixels, over the limit of "
                            + maxPixels + " pixels (set with -D" + MAX_PIXELS_PROPERTY + "=N or Images.read(file, channels, maxPixels))",
                            maxPixels);
                }
                List<String> warnings = new java.util.ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage img = reader.read(0);
                // a truncated JPEG decodes with a warning and grey filler where its data is missing
                if (!warnings.isEmpty()) throw new ModelFormatException("corrupt or truncated image " + name + ": " + warnings.get(0));
                return img;
            } finally {
                reader.dispose();
            }
        } catch (RuntimeException e) {
            if (e instanceof org.acejvm.core.AceException) throw e;
            // decoders throw unchecked exceptions on some malformed files
            throw new ModelFormatException("cannot decode image " + name + ": " + e, e);
        }
    }

    /** Reads an image and resizes it (bilinear) to height x width. */
    public static INDArray read(Path file, int channels, int height, int width) {
        INDArray x = read(file, channels);
        return (x.size(2) == height && x.size(3) == width) ? x : resize(x, height, width);
    }

    /**
     * An image as [1, channels, H, W], read from its raster as {@link #read(Path, int)} describes (bit-exact, alpha
     * over black). Grey or RGB colour spaces and palettes; others are refused with {@link ModelFormatException}.
     */
    public static INDArray fromBufferedImage(BufferedImage img, int channels) {
        return fromBufferedImage(img, channels, "image");
    }

    private static INDArray fromBufferedImage(BufferedImage img, int channels, String source) {
        checkChannels(channels);
        int h = img.getHeight(), w = img.getWidth();
        if ((long) channels * h * w > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException.TooLarge(source + ": " + w + "x" + h + " pixels do not fit one array", Integer.MAX_VALUE - 8);
        }
        // grey (1) or RGB (3) planes, composited over black
        float[][] planes = samples(img, source);
        float[] data = new float[channels * h * w];
        int n = h * w;
        if (planes.length == 1) {
            for (int c = 0; c < channels; c++) System.arraycopy(planes[0], 0, data, c * n, n);
        } else if (channels == 3) {
            for (int c = 0; c < 3; c++) System.arraycopy(planes[c], 0, data, c * n, n);
        } else {
            float[] r = planes[0], g = planes[1], b = planes[2];
            for (int i = 0; i < n; i++) {
                // grey stored as RGB (r = g = b) stays exact
                data[i] = r[i] == g[i] && g[i] == b[i] ? r[i] : Math.min(1f, 0.299f * r[i] + 0.587f * g[i] + 0.114f * b[i]);
            }
        }
        return Nd4j.create(data, new long[] {1, channels, h, w}, DataType.FLOAT);
    }

    /** The colour planes of an image (1 for grey, 3 for RGB) in [0, 1], alpha applied, never gamma-converted. */
    private static float[][] samples(BufferedImage img, String source) {
        int h = img.getHeight(), w = img.getWidth();
        Raster raster = img.getRaster();
        ColorModel cm = img.getColorModel();
        int[] row = new int[w];
        if (cm instanceof IndexColorModel icm) {
            // palette images (also 1/2/4-bit grey, which ImageIO reads as a grey-ramp palette): 8-bit entries
            boolean grey = true;
            for (int i = 0; i < icm.getMapSize() && grey; i++) grey = icm.getRed(i) == icm.getGreen(i) && icm.getGreen(i) == icm.getBlue(i);
            float[][] out = new float[grey ? 1 : 3][w * h];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int p = row[x];
                    float a = icm.hasAlpha() ? icm.getAlpha(p) / 255f : 1f;
                    out[0][y * w + x] = icm.getRed(p) / 255f * a;
                    if (!grey) {
                        out[1][y * w + x] = icm.getGreen(p) / 255f * a;
                        out[2][y * w + x] = icm.getBlue(p) / 255f * a;
                    }
                }
            }
            return out;
        }
        int space = cm.getColorSpace().getType();
        int colours = cm.getNumColorComponents();
        if (!((space == ColorSpace.TYPE_GRAY && colours == 1) || (space == ColorSpace.TYPE_RGB && colours == 3))
                || raster.getNumBands() != cm.getNumComponents()) {
            throw new ModelFormatException(source + ": unsupported image colour model (colour space type " + space + ", "
                    + cm.getNumComponents() + " components); expected grey, grey+alpha, RGB, RGBA or a palette");
        }
        SampleModel sm = raster.getSampleModel();
        int dataType = sm.getDataType();
        if (dataType != DataBuffer.TYPE_BYTE && dataType != DataBuffer.TYPE_USHORT && dataType != DataBuffer.TYPE_INT) {
            throw new ModelFormatException(source + ": unsupported image sample type " + dataType + " (expected 1 to 16-bit integers)");
        }
        boolean alpha = cm.hasAlpha() && !cm.isAlphaPremultiplied();
        float[] a = null;
        if (alpha) a = band(raster, cm.getNumComponents() - 1, w, h, row, null);
        float[][] out = new float[colours][];
        for (int c = 0; c < colours; c++) out[c] = band(raster, c, w, h, row, a);
        return out;
    }

    /** One band of a raster in [0, 1]: samples divided by the largest value of their bit depth, times {@code alpha}. */
    private static float[] band(Raster raster, int b, int w, int h, int[] row, float[] alpha) {
        int bits = raster.getSampleModel().getSampleSize(b);
        if (bits < 1 || bits > 16) throw new ModelFormatException("unsupported image sample size: " + bits + " bits (expected 1 to 16)");
        float max = (1 << bits) - 1;
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, b, row);
            for (int x = 0; x < w; x++) {
                float v = row[x] / max;
                out[y * w + x] = alpha == null ? v : v * alpha[y * w + x];
            }
        }
        return out;
    }

    /** One image [1, C, H, W] or [C, H, W] with values in [0, 1] as a BufferedImage (grey or RGB). */
    public static BufferedImage toBufferedImage(INDArray image) {
        INDArray x = image.rank() == 4 ? single(image) : image;
        Checks.rank(x, 3, "image");
        int c = (int) x.size(0), h = (int) x.size(1), w = (int) x.size(2);
        checkChannels(c);
        float[] d = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        BufferedImage img = new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                if (c == 1) {
                    img.getRaster().setSample(xx, y, 0, toByte(d[y * w + xx]));
                } else {
                    int r = toByte(d[y * w + xx]), g = toByte(d[h * w + y * w + xx]), b = toByte(d[2 * h * w + y * w + xx]);
                    img.setRGB(xx, y, (r << 16) | (g << 8) | b);
                }
            }
        }
        return img;
    }

    /** Writes one image as PNG or JPEG (chosen by the file extension). */
    public static void write(INDArray image, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String format = name.endsWith(".png") ? "png" : (name.endsWith(".jpg") || name.endsWith(".jpeg")) ? "jpg" : null;
        if (format == null) throw new InvalidInputException("image file name must end in .png, .jpg or .jpeg, got " + file);
        BufferedImage img = toBufferedImage(image);
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            if (!ImageIO.write(img, format, file.toFile())) throw new ModelFormatException("no image writer for " + format);
        } catch (IOException e) {
            throw new ModelFormatException("cannot write image " + file + ": " + e.getMessage(), e);
        }
    }

    /** Bilinear resize of a batch [N, C, H, W] (pixel centres aligned, as PIL and torchvision do without antialias). */
    public static INDArray resize(INDArray batch, int height, int width) {
        Checks.rank(batch, 4, "images");
        if (height <= 0 || width <= 0) throw new InvalidInputException.Shape("resize target must be positive, got " + height + "x" + width);
        long n = batch.size(0), c = batch.size(1);
        int h = (int) batch.size(2), w = (int) batch.size(3);
        float[] src = batch.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] dst = new float[(int) (n * c * height * width)];
        double sy = (double) h / height, sx = (double) w / width;
        for (int plane = 0; plane < n * c; plane++) {
            int so = plane * h * w, dOff = plane * height * width;
            for (int y = 0; y < height; y++) {
                double fy = Math.max(0, (y + 0.5) * sy - 0.5);
                int y0 = Math.min((int) fy, h - 1), y1 = Math.min(y0 + 1, h - 1);
                double wy = fy - y0;
                for (int x = 0; x < width; x++) {
                    double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                    int x0 = Math.min((int) fx, w - 1), x1 = Math.min(x0 + 1, w - 1);
                    double wx = fx - x0;
                    double top = src[so + y0 * w + x0] * (1 - wx) + src[so + y0 * w + x1] * wx;
                    double bot = src[so + y1 * w + x0] * (1 - wx) + src[so + y1 * w + x1] * wx;
                    dst[dOff + y * width + x] = (float) (top * (1 - wy) + bot * wy);
                }
            }
        }
        return Nd4j.create(dst, new long[] {n, c, height, width}, DataType.FLOAT);
    }

    /**
     * A grid image: one row per entry of {@code rows}, each row a batch [K, C, H, W] laid side by side; every row must
     * have the same K, C, H, W. Grey rows are shown as grey. {@code pad} pixels of white between cells.
     */
    public static BufferedImage grid(List<INDArray> rows, int pad, int scale) {
        if (rows.isEmpty()) throw new InvalidInputException("grid needs at least one row");
        INDArray first = rows.get(0);
        Checks.rank(first, 4, "rows[0]");
        int k = (int) first.size(0), h = (int) first.size(2), w = (int) first.size(3);
        for (int i = 0; i < rows.size(); i++) {
            Checks.rank(rows.get(i), 4, "rows[" + i + "]");
            if (!java.util.Arrays.equals(rows.get(i).shape(), first.shape())) {
                throw new InvalidInputException.Shape("rows[" + i + "]: expected shape " + java.util.Arrays.toString(first.shape())
                        + ", got " + java.util.Arrays.toString(rows.get(i).shape()));
            }
        }
        int cw = w * scale, ch = h * scale;
        BufferedImage out = new BufferedImage(k * (cw + pad) + pad, rows.size() * (ch + pad) + pad, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        for (int r = 0; r < rows.size(); r++) {
            for (int j = 0; j < k; j++) {
                BufferedImage cell = toBufferedImage(rows.get(r).get(org.nd4j.linalg.indexing.NDArrayIndex.point(j)));
                g.drawImage(cell, pad + j * (cw + pad), pad + r * (ch + pad), cw, ch, null);
            }
        }
        g.dispose();
        return out;
    }

    /** Writes a BufferedImage as PNG. */
    public static void writePng(BufferedImage img, Path file) {
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A heat map of per-pixel magnitudes [1, H, W] or [H, W] (any non-negative scale) as RGB [1, 3, H, W] in [0, 1]:
     * black -> red -> yellow -> white, normalised by the maximum (all-zero stays black).
     */
    public static INDArray heatMap(INDArray magnitude) {
        float[] d = magnitude.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float max = 0;
        for (float v : d) max = Math.max(max, Math.abs(v));
        return heatMap(magnitude, max);
    }

    /**
     * The same heat map on a fixed scale: {@code max} (and anything above it) is white, so maps drawn with one
     * {@code max} can be compared by colour. A non-positive {@code max} gives black.
     */
    public static INDArray heatMap(INDArray magnitude, double max) {
        INDArray m = magnitude.castTo(DataType.FLOAT).dup('c');
        long h = m.size(m.rank() - 2), w = m.size(m.rank() - 1);
        float[] d = m.data().asFloat();
        float[] out = new float[(int) (3 * h * w)];
        for (int i = 0; i < h * w; i++) {
            float v = max > 0 ? (float) Math.min(1.0, Math.abs(d[i]) / max) : 0f;
            out[i] = Math.min(1f, 3 * v);
            out[(int) (h * w) + i] = Math.min(1f, Math.max(0f, 3 * v - 1));
            out[(int) (2 * h * w) + i] = Math.min(1f, Math.max(0f, 3 * v - 2));
        }
        return Nd4j.create(out, new long[] {1, 3, h, w}, DataType.FLOAT);
    }

    /** Repeats a grey batch to 3 channels (for grids that mix grey images and colour heat maps). */
    public static INDArray toRgb(INDArray batch) {
        Checks.rank(batch, 4, "images");
        if (batch.size(1) == 3) return batch;
        if (batch.size(1) != 1) throw new InvalidInputException.Shape("expected 1 or 3 channels, got " + batch.size(1));
        return Nd4j.concat(1, batch, batch, batch);
    }

    private static INDArray single(INDArray image) {
        if (image.size(0) != 1) {
            throw new InvalidInputException.Shape("expected one image [1, C, H, W] or [C, H, W], got "
                    + java.util.Arrays.toString(image.shape()));
        }
        return image.reshape(image.size(1), image.size(2), image.size(3));
    }

    private static void checkChannels(int channels) {
        if (channels != 1 && channels != 3) throw new InvalidInputException.Shape("channels must be 1 (grey) or 3 (RGB), got " + channels);
    }

    private static int toByte(float v) {
        if (Float.isNaN(v)) return 0;
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }
}
