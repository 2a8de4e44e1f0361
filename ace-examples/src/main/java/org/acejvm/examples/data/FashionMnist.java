package org.acejvm.examples.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.acejvm.core.Checks;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017; MIT licence) as the library's embedded default data set:
 * 28x28 grey images zero-padded by 2 pixels on each side to {@code [N, 1, 32, 32]} float32 in [0, 1], labels 0..9.
 *
 * <p>The IDX files are read from {@code /usr/share/datasets/fashion-mnist/} (Debian package
 * {@code dataset-fashion-mnist}), or from the directory named by the system property {@value #DIR_PROPERTY} or the
 * environment variable {@value #DIR_ENV}, or one passed explicitly. The raw bytes of the requested range are kept
 * (784 bytes an image); float batches are made on demand.
 */
public final class FashionMnist {
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String DIR_PROPERTY = "ace.fashionmnist.dir";
    public static final String DIR_ENV = "ACE_FASHION_MNIST_DIR";
    public static final int RAW_SIZE = 28;
    public static final int PAD = 2;
    public static final int SIZE = RAW_SIZE + 2 * PAD;
    public static final ImageSpec SPEC = new ImageSpec(1, SIZE, SIZE);
    public static final int NUM_CLASSES = 10;
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    static final int IMAGES_MAGIC = 0x0803;
    static final int LABELS_MAGIC = 0x0801;

    /** The two parts of the data set and their file name prefixes. */
    /**
     * Each class's most confusable class (the demo's, evaluate's and calibrate's targets): T-shirt/top -> Shirt,
     * Trouser -> Dress, Pullover -> Coat, Dress -> T-shirt/top, Coat -> Pullover, Sandal -> Sneaker, Shirt ->
     * T-shirt/top, Sneaker -> Sandal, Bag -> Shirt, Ankle boot -> Sneaker.
     */
    private static final int[] CONFUSABLE = {6, 3, 4, 0, 2, 7, 0, 5, 6, 7};

    /** The class most easily confused with class {@code c}. */
    public static int confusableWith(int c) {
        if (c < 0 || c >= NUM_CLASSES) throw new IllegalArgumentException("not a Fashion-MNIST class: " + c);
        return CONFUSABLE[c];
    }

    /** {@link #confusableWith} as a table indexed by class. */
    public static int[] confusableTable() { return CONFUSABLE.clone(); }

    public enum Split {
        TRAIN("train", 60_000), TEST("t10k", 10_000);

        private final String prefix;
        private final int size;

        Split(String prefix, int size) {
            this.prefix = prefix;
            this.size = size;
        }

        /** Number of images in the published data set. */
        public int size() { return size; }

        public String imagesFile() { return prefix + "-images-idx3-ubyte.gz"; }

        public String labelsFile() { return prefix + "-labels-idx1-ubyte.gz"; }
    }

    private final Split split;
    private final int offset;
    private final byte[] pixels; // n * 784, row-major 28x28
    private final byte[] labels;

    private FashionMnist(Split split, int offset, byte[] pixels, byte[] labels) {
        this.split = split;
        this.offset = offset;
        this.pixels = pixels;
        this.labels = labels;
    }

    /** The directory used when none is given: the system property, the environment variable, or the Debian path. */
    public static Path defaultDirectory() {
        return DataDirectory.resolve(DIR_PROPERTY, DIR_ENV, DEFAULT_DIR);
    }

    /** The whole split from the default directory. */
    public static FashionMnist load(Split split) {
        return load(defaultDirectory(), split, 0, -1);
    }

    /** The first {@code count} images of a split from the default directory (reads no further than needed). */
    public static FashionMnist load(Split split, int count) {
        return load(defaultDirectory(), split, 0, count);
    }

    /**
     * Images {@code [offset, offset + count)} of a split ({@code count = -1}: to the end). Only the files' prefix up to
     * the last requested image is decompressed.
     */
    public static FashionMnist load(Path dir, Split split, int offset, int count) {
        Checks.notNull(dir, "dir");
        Checks.notNull(split, "split");
        Path images = dir.resolve(split.imagesFile());
        Path labelFile = dir.resolve(split.labelsFile());
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labelFile)) {
            throw new ModelFormatException("Fashion-MNIST not found: expected " + images + " and " + labelFile
                    + ". Install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or point -D"
                    + DIR_PROPERTY + "=DIR or " + DIR_ENV + "=DIR at a directory holding the four *-ubyte.gz files "
                    + "from https://github.com/zalandoresearch/fashion-mnist");
        }
        int available;
        try (Idx.Reader r = Idx.open(images)) {
            available = r.header().items();
        }
        if (offset < 0 || offset > available) {
            throw new InvalidInputException("offset " + offset + " out of range [0, " + available + "]");
        }
        int n = count < 0 ? available - offset : count;
        if ((long) offset + n > available) {
            throw new InvalidInputException("requested images [" + offset + ", " + ((long) offset + n) + ") but "
                    + images + " holds " + available);
        }
        Idx.Data img = Idx.readUnsignedBytes(images, IMAGES_MAGIC, offset, n);
        int[] d = img.header().dims();
        if (d.length != 3 || d[1] != RAW_SIZE || d[2] != RAW_SIZE) {
            throw new ModelFormatException(images + ": expected images of 28x28, got " + img.header());
        }
        Idx.Data lab = Idx.readUnsignedBytes(labelFile, LABELS_MAGIC, 0, 0);
        if (lab.header().items() != available) {
            throw new ModelFormatException(labelFile + " holds " + lab.header().items() + " labels but " + images
                    + " holds " + available + " images");
        }
        lab = Idx.readUnsignedBytes(labelFile, LABELS_MAGIC, offset, n);
        for (int i = 0; i < n; i++) {
            int y = lab.bytes()[i] & 0xff;
            if (y >= NUM_CLASSES) throw new ModelFormatException(labelFile + ": label " + y + " at index " + (offset + i));
        }
        return new FashionMnist(split, offset, img.bytes(), lab.bytes());
    }

    public Split split() { return split; }

    /** Index of this subset's first image in the split. */
    public int offset() { return offset; }

    public int size() { return labels.length; }

    public int label(int i) {
        checkIndex(i);
        return labels[i] & 0xff;
    }

    /** All labels. */
    public int[] labels() { return labels(0, size()); }

    /** Labels of images {@code [from, to)}. */
    public int[] labels(int from, int to) {
        checkRange(from, to);
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) y[i - from] = labels[i] & 0xff;
        return y;
    }

    /** Labels of the given images. */
    public int[] labels(int[] indices) {
        int[] y = new int[indices.length];
        for (int k = 0; k < indices.length; k++) y[k] = label(indices[k]);
        return y;
    }

    public static String className(int label) {
        Checks.classIndex(label, NUM_CLASSES, "label");
        return CLASS_NAMES.get(label);
    }

    /** Images {@code [from, to)} as {@code [to - from, 1, 32, 32]} float32 in [0, 1]. */
    public INDArray images(int from, int to) {
        checkRange(from, to);
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) idx[i] = from + i;
        return images(idx);
    }

    /** All images (4 KiB of memory per image). */
    public INDArray images() { return images(0, size()); }

    /** The given images, in the given order, as {@code [n, 1, 32, 32]} float32 in [0, 1]. */
    public INDArray images(int[] indices) {
        return images(indices, null, null);
    }

    /**
     * The given images with per-image shifts and horizontal flips (for training augmentation): image k is shifted by
     * {@code dy[k], dx[k]} pixels in [-2, 2] (staying inside the 32x32 frame) and mirrored when {@code flip[k]}.
     */
    public INDArray images(int[] indices, int[][] shifts, boolean[] flip) {
        Checks.notNull(indices, "indices");
        int n = indices.length;
        if (n == 0) throw new InvalidInputException("indices must not be empty");
        float[] out = new float[n * SIZE * SIZE];
        for (int k = 0; k < n; k++) {
            int i = indices[k];
            checkIndex(i);
            int dy = shifts == null ? 0 : shifts[k][0];
            int dx = shifts == null ? 0 : shifts[k][1];
            if (Math.abs(dy) > PAD || Math.abs(dx) > PAD) {
                throw new InvalidInputException("shift (" + dy + ", " + dx + ") beyond the " + PAD + "-pixel border");
            }
            boolean mirror = flip != null && flip[k];
            int src = i * RAW_SIZE * RAW_SIZE;
            int dst = k * SIZE * SIZE;
            for (int r = 0; r < RAW_SIZE; r++) {
                int row = dst + (r + PAD + dy) * SIZE + PAD + dx;
                int srcRow = src + r * RAW_SIZE;
                for (int c = 0; c < RAW_SIZE; c++) {
                    int v = pixels[srcRow + (mirror ? RAW_SIZE - 1 - c : c)] & 0xff;
                    out[row + c] = v / 255f;
                }
            }
        }
        return Nd4j.create(out, new long[] {n, 1, SIZE, SIZE}, 'c');
    }

    /** One-hot labels {@code [n, 10]} float32 for the given images. */
    public INDArray oneHot(int[] indices) {
        float[] y = new float[indices.length * NUM_CLASSES];
        for (int k = 0; k < indices.length; k++) y[k * NUM_CLASSES + label(indices[k])] = 1f;
        return Nd4j.create(y, new long[] {indices.length, NUM_CLASSES}, 'c');
    }

    /** Mean and standard deviation of the padded [0, 1] pixels of this subset. */
    public double[] pixelMeanStd() {
        double sum = 0;
        double sq = 0;
        for (byte b : pixels) {
            double v = (b & 0xff) / 255.0;
            sum += v;
            sq += v * v;
        }
        double n = (double) size() * SIZE * SIZE; // padding pixels are zeros
        double mean = sum / n;
        return new double[] {mean, Math.sqrt(Math.max(0, sq / n - mean * mean))};
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= size()) {
            throw new InvalidInputException("image index " + i + " out of range [0, " + size() + ")");
        }
    }

    private void checkRange(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new InvalidInputException("image range [" + from + ", " + to + ") not within [0, " + size() + ") or empty");
        }
    }

    @Override public String toString() {
        return "FashionMnist(" + split + ", images " + offset + ".." + (offset + size()) + ")";
    }
}
