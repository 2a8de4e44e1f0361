package org.acejvm.core;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Validation shared by every public entry point. Each rule throws its own {@link InvalidInputException}
 * subtype with a message that names the argument, what was expected and what came.
 */
public final class Checks {
    /** Images may exceed [0, 1] by this much (float round-off from resizing or clamping elsewhere). */
    public static final double RANGE_TOLERANCE = 1e-5;

    private Checks() {}

    public static void notNull(Object value, String name) {
        if (value == null) throw new InvalidInputException(name + " must not be null");
    }

    public static void rank(INDArray x, int rank, String name) {
        notNull(x, name);
        if (x.rank() != rank) {
            throw new InvalidInputException.Shape(name + ": expected rank " + rank + ", got rank " + x.rank()
                    + " with shape " + Arrays.toString(x.shape()));
        }
    }

    public static void floating(INDArray x, String name) {
        notNull(x, name);
        if (x.dataType() != DataType.FLOAT) {
            throw new InvalidInputException.DataType(name + ": expected FLOAT (float32), got " + x.dataType());
        }
    }

    public static void finite(INDArray x, String name) {
        notNull(x, name);
        if (x.isEmpty()) return;
        double sum = x.sumNumber().doubleValue();
        if (!Double.isFinite(sum)) {
            // the sum also overflows for large finite values (3e38 + 3e38 in float32): count before refusing
            long nan = x.isNaN().castTo(DataType.INT32).sumNumber().longValue();
            long inf = x.isInfinite().castTo(DataType.INT32).sumNumber().longValue();
            if (nan + inf > 0) {
                throw new InvalidInputException.NonFinite(name + ": expected finite values, found " + nan + " NaN and "
                        + inf + " infinite values");
            }
        }
    }

    public static void range(INDArray x, double lo, double hi, String name) {
        notNull(x, name);
        if (x.isEmpty()) return;
        double min = x.minNumber().doubleValue();
        double max = x.maxNumber().doubleValue();
        if (min < lo - RANGE_TOLERANCE || max > hi + RANGE_TOLERANCE) {
            throw new InvalidInputException.Range(name + ": values out of range: expected values in [" + lo + ", " + hi + "], got [" + min
                    + ", " + max + "]");
        }
    }

    /** A batch of images: rank 4, float32, finite, in [0, 1], and (if spec is given) the spec's C, H, W. */
    public static void images(INDArray x, ImageSpec spec, String name) {
        rank(x, 4, name);
        if (x.size(0) == 0) throw new InvalidInputException.Shape(name + ": expected at least one image, got an empty batch");
        if (spec != null && !spec.matches(x.shape())) {
            throw new InvalidInputException.Shape(name + ": expected shape " + spec + " (NCHW), got "
                    + Arrays.toString(x.shape()));
        }
        floating(x, name);
        finite(x, name);
        range(x, 0.0, 1.0, name);
    }

    public static void classIndex(int index, int numClasses, String name) {
        if (index < 0 || index >= numClasses) {
            throw new InvalidInputException.ClassIndex(name + ": expected a class index in [0, " + numClasses + "), got " + index);
        }
    }

    public static void classIndices(int[] indices, int numClasses, String name) {
        notNull(indices, name);
        for (int i = 0; i < indices.length; i++) classIndex(indices[i], numClasses, name + "[" + i + "]");
    }

    public static void sameCount(long a, String nameA, long b, String nameB) {
        if (a != b) {
            throw new InvalidInputException.Mismatch("expected " + nameA + " and " + nameB + " to have the same count, got "
                    + a + " and " + b);
        }
    }

    public static void positive(double value, String name) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new InvalidInputException.Range(name + ": expected a positive finite number, got " + value);
        }
    }

    public static void nonNegative(double value, String name) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new InvalidInputException.Range(name + ": expected a non-negative finite number, got " + value);
        }
    }
}
