package org.acejvm.core.graph.plan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element-wise loops in Java over contiguous float arrays. Why: a derivative such as swish's costs one or two ND4J
 * legacy ops plus a product (each a full pass with its own dispatch); one Java loop reads the inputs once. Loops run
 * on one thread and are written so that the JIT can unroll them.
 */
final class FloatLoops {
    private FloatLoops() {}

    /** A view of the array's elements in order; the array must be float32, C order and without gaps. */
    static FloatBuffer of(INDArray a) {
        if (a.dataType() != DataType.FLOAT || !dense(a)) {
            throw new IllegalArgumentException("expected a dense float32 array, got " + a.shapeInfoToString());
        }
        ByteBuffer bb = a.data().asNio().order(ByteOrder.nativeOrder());
        bb.position((int) (a.offset() * 4));
        bb.limit((int) ((a.offset() + a.length()) * 4));
        return bb.slice().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** C order without gaps: every axis of size above one has the stride of the axes after it. */
    static boolean dense(INDArray a) {
        long[] shape = a.shape(), stride = a.stride();
        long expect = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expect) return false;
            expect *= shape[i];
        }
        return true;
    }

    /** A binary map out[i] = f(a[i], b[i]). */
    interface Map2 { float apply(float a, float b); }

    static Runnable map2(INDArray a, INDArray b, INDArray out, Map2 f) {
        FloatBuffer fa = of(a), fb = of(b), fo = of(out);
        int n = (int) out.length();
        return () -> {
            for (int i = 0; i < n; i++) fo.put(i, f.apply(fa.get(i), fb.get(i)));
        };
    }

    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final int SPLIT_ABOVE = 1 << 15;

    /** Runs body(from, to) over [0, n) in one chunk per core when n is large (the common pool and the caller). */
    static void parallel(int n, BiConsumer<Integer, Integer> body) { parallelRows(n, 1, body); }

    /**
     * Runs body(from, to) over [0, rows) of {@code inner} elements each, in one chunk per core when the whole is large
     * (on one thread inside a {@link PlanWorkers} thread: the other parts of the batch use the other cores).
     */
    static void parallelRows(int rows, int inner, BiConsumer<Integer, Integer> body) {
        if ((long) rows * inner < SPLIT_ABOVE || rows < 2 || THREADS == 1 || PlanWorkers.isWorker()) {
            body.accept(0, rows);
            return;
        }
        int parts = Math.min(THREADS, rows);
        int chunk = (rows + parts - 1) / parts;
        IntStream.range(0, parts).parallel()
                .forEach(c -> body.accept(Math.min(rows, c * chunk), Math.min(rows, (c + 1) * chunk)));
    }

    /**
     * d swish(x) = g * (s + x s (1 - s)) with s = sigmoid(x) already in {@code sigmoid} (ND4J's vectorised exp is
     * several times faster than Math.exp in a Java loop).
     */
    static Runnable swishGradient(INDArray x, INDArray sigmoid, INDArray g, INDArray out) {
        FloatBuffer fx = of(x), fs = of(sigmoid), fg = of(g), fo = of(out);
        int n = (int) out.length();
        return () -> parallel(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = fx.get(i), sg = fs.get(i);
                fo.put(i, fg.get(i) * (sg + v * sg * (1f - sg)));
            }
        });
    }

    /** The gradient of a mean over the trailing {@code inner} elements of each row: out[r, j] = g[r] / inner. */
    static Runnable spreadMean(INDArray g, INDArray out, int inner) {
        FloatBuffer fg = of(g), fo = of(out);
        int rows = (int) g.length();
        float scale = 1f / inner;
        return () -> parallelRows(rows, inner, (from, to) -> {
            for (int r = from; r < to; r++) {
                float v = fg.get(r) * scale;
                for (int j = r * inner, end = j + inner; j < end; j++) fo.put(j, v);
            }
        });
    }
}
