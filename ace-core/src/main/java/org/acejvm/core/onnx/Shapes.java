package org.acejvm.core.onnx;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Helpers on import-time shapes ({@link Dim} arrays). */
final class Shapes {
    private Shapes() {}

    /** The most dimensions an ND4J array has; a shape operand (Reshape, Expand, ConstantOfShape...) longer than this is malformed. */
    static final int MAX_RANK = 32;

    static Dim[] of(long... dims) {
        Dim[] out = new Dim[dims.length];
        for (int i = 0; i < dims.length; i++) out[i] = Dim.of(dims[i]);
        return out;
    }

    static String str(Dim[] shape) {
        return Arrays.stream(shape).map(Dim::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    static boolean isStatic(Dim[] shape) {
        for (Dim d : shape) if (d.batch()) return false;
        return true;
    }

    static long[] values(Dim[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) out[i] = shape[i].value();
        return out;
    }

    /** Product of all dimensions (batch-dependent if one of them is). */
    static Dim product(Dim[] shape, int from, int to) {
        Dim p = Dim.of(1);
        for (int i = from; i < to; i++) p = p.times(shape[i]);
        return p;
    }

    /**
     * The shape as SameDiff's reshape takes it: fixed sizes as they are, the one batch-dependent dimension as -1
     * (SameDiff infers it at run time).
     */
    static long[] forReshape(Dim[] shape) {
        long[] out = new long[shape.length];
        int batchDims = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i].batch()) {
                batchDims++;
                out[i] = -1;
            } else {
                out[i] = shape[i].factor();
            }
        }
        if (batchDims > 1) {
            throw new ShapeException("shape " + str(shape) + " has more than one batch-dependent dimension");
        }
        return out;
    }

    /** Numpy (ONNX multidirectional) broadcasting. */
    static Dim[] broadcast(Dim[] a, Dim[] b) {
        int rank = Math.max(a.length, b.length);
        Dim[] out = new Dim[rank];
        for (int i = 0; i < rank; i++) {
            Dim x = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : Dim.of(1);
            Dim y = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : Dim.of(1);
            if (x.equals(y) || y.equals(Dim.of(1))) out[i] = x;
            else if (x.equals(Dim.of(1))) out[i] = y;
            else throw new ShapeException("shapes " + str(a) + " and " + str(b) + " do not broadcast");
        }
        return out;
    }

    /** A possibly negative axis in [-rank, rank) as an index in [0, rank). */
    static int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ShapeException("axis " + axis + " out of range for rank " + rank);
        return (int) a;
    }

    static Dim[] concat(Dim[] a, Dim[] b) {
        Dim[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
