package org.acejvm.attacks;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Plain-Java float32 helpers for the element-wise parts of the attack loop (exact and backend-independent). */
final class Floats {
    private Floats() {}

    /** A C-order copy of the values. */
    static float[] of(INDArray a) { return a.castTo(DataType.FLOAT).dup('c').data().asFloat(); }

    static INDArray create(float[] data, long[] shape) { return Nd4j.create(data, shape.clone(), DataType.FLOAT); }

    /** Rows {@code rows} (along dimension 0) of {@code a}, as a new array. */
    static INDArray rows(INDArray a, int[] rows) {
        long per = a.length() / a.size(0);
        float[] src = of(a);
        float[] out = new float[(int) (rows.length * per)];
        for (int i = 0; i < rows.length; i++) System.arraycopy(src, (int) (rows[i] * per), out, (int) (i * per), (int) per);
        long[] shape = a.shape().clone();
        shape[0] = rows.length;
        return create(out, shape);
    }

    static long[] rows(long[] a, int[] rows) {
        long[] out = new long[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = a[rows[i]];
        return out;
    }

    static int[] rows(int[] a, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = a[rows[i]];
        return out;
    }
}
