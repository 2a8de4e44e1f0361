package org.acejvm.core.onnx;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Import-time array transforms done in plain Java (weight permutes, transposes, per-channel vectors): much faster
 * than ND4J's small-op dispatch for one-off work, and independent of the native thread pool.
 */
final class HostArrays {
    private HostArrays() {}

    /** c-order copy of {@code a} with its axes permuted ({@code out.shape[i] = a.shape[perm[i]]}). */
    static INDArray permute(INDArray a, int... perm) {
        long[] in = a.shape();
        int r = in.length;
        long[] out = new long[r];
        for (int i = 0; i < r; i++) out[i] = in[perm[i]];
        long[] inStride = new long[r];
        for (int i = r - 1, s = 1; i >= 0; i--) {
            inStride[i] = s;
            s *= (int) in[i];
        }
        int n = (int) a.length();
        int[] src = new int[n];
        long[] idx = new long[r];
        for (int k = 0; k < n; k++) {
            long off = 0;
            for (int i = 0; i < r; i++) off += idx[i] * inStride[perm[i]];
            src[k] = (int) off;
            for (int i = r - 1; i >= 0; i--) {
                if (++idx[i] < out[i]) break;
                idx[i] = 0;
            }
        }
        if (a.dataType() == DataType.DOUBLE) {
            double[] d = doubles(a), o = new double[n];
            for (int k = 0; k < n; k++) o[k] = d[src[k]];
            return Nd4j.create(o, out, 'c');
        }
        if (a.dataType() == DataType.FLOAT) {
            float[] d = floats(a), o = new float[n];
            for (int k = 0; k < n; k++) o[k] = d[src[k]];
            return Nd4j.create(o, out, 'c');
        }
        return a.permute(perm).dup('c');
    }

    private static boolean plain(INDArray a) {
        return a.ordering() == 'c' && !a.isView() && a.data().length() == a.length();
    }

    static float[] floats(INDArray a) {
        INDArray c = plain(a) ? a : a.dup('c');
        return c.dataType() == DataType.FLOAT ? c.data().asFloat() : c.castTo(DataType.FLOAT).data().asFloat();
    }

    static double[] doubles(INDArray a) {
        INDArray c = plain(a) ? a : a.dup('c');
        return c.data().asDouble();
    }

    static INDArray create(double[] v, long... shape) {
        return Nd4j.create(v, shape, 'c');
    }

    /** Whether every element equals {@code v} (true for an empty array). */
    static boolean all(INDArray a, double v) {
        for (double x : doubles(a)) if (x != v) return false;
        return true;
    }
}
