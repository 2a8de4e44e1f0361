package org.acejvm.core.io;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
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

    /** Reads an image file as [1, channels, H, W]; channels 1 converts to grey (ITU-R BT.601 luma), 3 to RGB. */
    public static INDArray read(Path file, int channels) {
        checkChannels(channels);
        if (!Files.isRegularFile(file)) throw new ModelFormatException("image file not found: " + file);
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException("cannot read image " + file + ": " + e.getMessage(), e);
        }
        if (img == null) throw new ModelFormatException("not a PNG or JPEG image (or unsupported format): " + file);
        return fromBufferedImage(img, channels);
    }

    /** Reads an image and resizes it (bilinear) to height x width. */
    public static INDArray read(Path file, int channels, int height, int width) {
        INDArray x = read(file, channels);
        return (x.size(2) == height && x.size(3) == width) ? x : resize(x, height, width);
    }

    public static INDArray fromBufferedImage(BufferedImage img, int channels) {
        checkChannels(channels);
        int h = img.getHeight(), w = img.getWidth();
        float[] data = new float[channels * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                float r = ((rgb >> 16) & 0xFF) / 255f, g = ((rgb >> 8) & 0xFF) / 255f, b = (rgb & 0xFF) / 255f;
                if (channels == 1) {
                    data[y * w + x] = img.getRaster().getNumBands() == 1 && img.getType() == BufferedImage.TYPE_BYTE_GRAY
                            ? img.getRaster().getSample(x, y, 0) / 255f
                            : Math.min(1f, 0.299f * r + 0.587f * g + 0.114f * b);
                } else {
                    data[y * w + x] = r;
                    data[h * w + y * w + x] = g;
                    data[2 * h * w + y * w + x] = b;
                }
            }
        }
        return Nd4j.create(data, new long[] {1, channels, h, w}, DataType.FLOAT);
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
