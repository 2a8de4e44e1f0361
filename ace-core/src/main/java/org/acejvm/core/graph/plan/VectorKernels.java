package org.acejvm.core.graph.plan;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SiLU, the normalisation of {@link NormalizeFusion} and their gradients on the Java Vector API (jdk.incubator.vector).
 * Only {@link JavaKernels} touches this class, and only when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}: without the module, loading it would fail. Why: ND4J's legacy
 * {@code swish} costs about 490 us on a [4, 64, 16, 16] activation on one thread; the vector loop about 40 us (the
 * JDK's SIMD exp); the normalisation's sums run in vector lanes. The buffers are copied through small arrays because
 * the API that reads a ByteBuffer directly changed after JDK 19; the copies cost little beside the exp.
 */
final class VectorKernels {
    private VectorKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int CHUNK = 2048;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    /** y = x * sigmoid(x) = x / (1 + exp(-x)) over [from, to). */
    static void silu(FloatBuffer x, FloatBuffer y, int from, int to) {
        float[] a = new float[CHUNK];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            x.get(start, a, 0, m);
            int i = 0;
            for (int up = S.loopBound(m); i < up; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, a, i);
                v.div(v.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(a, i);
            }
            for (; i < m; i++) a[i] = a[i] / (1f + (float) Math.exp(-a[i]));
            y.put(start, a, 0, m);
        }
    }

    /** out = g * (s + x s (1 - s)) with s = sigmoid(x), over [from, to). */
    static void siluGradient(FloatBuffer x, FloatBuffer g, FloatBuffer out, int from, int to) {
        float[] a = new float[CHUNK], b = new float[CHUNK];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            x.get(start, a, 0, m);
            g.get(start, b, 0, m);
            int i = 0;
            for (int up = S.loopBound(m); i < up; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, a, i);
                FloatVector s = ONE.div(v.neg().lanewise(VectorOperators.EXP).add(1f));
                FloatVector d = s.mul(v.mul(ONE.sub(s)).add(1f));
                d.mul(FloatVector.fromArray(S, b, i)).intoArray(a, i);
            }
            for (; i < m; i++) {
                float v = a[i], s = 1f / (1f + (float) Math.exp(-v));
                a[i] = b[i] * s * (1f + v * (1f - s));
            }
            out.put(start, a, 0, m);
        }
    }

    /**
     * y = (x - mean) * rstd per row of {@code inner} elements, rows [from, to); rstd = 1 / sqrt(var + eps) kept for
     * the backward pass. Two passes over the row (mean, then squared deviations), as the scalar loop.
     */
    static void normalize(FloatBuffer x, FloatBuffer y, FloatBuffer rstd, int inner, double eps, int from, int to) {
        float[] a = new float[inner];
        for (int r = from; r < to; r++) {
            int base = r * inner;
            x.get(base, a, 0, inner);
            float mean = (float) (sum(a, inner) / inner);
            FloatVector m = FloatVector.broadcast(S, mean);
            FloatVector acc = FloatVector.zero(S);
            int i = 0, up = S.loopBound(inner);
            for (; i < up; i += S.length()) {
                FloatVector d = FloatVector.fromArray(S, a, i).sub(m);
                acc = d.fma(d, acc);
            }
            double sq = acc.reduceLanes(VectorOperators.ADD);
            for (; i < inner; i++) sq += (a[i] - mean) * (a[i] - mean);
            float s = (float) (1.0 / Math.sqrt((float) (sq / inner) + eps));
            rstd.put(r, s);
            FloatVector sv = FloatVector.broadcast(S, s);
            for (i = 0; i < up; i += S.length()) FloatVector.fromArray(S, a, i).sub(m).mul(sv).intoArray(a, i);
            for (; i < inner; i++) a[i] = (a[i] - mean) * s;
            y.put(base, a, 0, inner);
        }
    }

    /** dx = rstd * (g - mean(g) - y * mean(g * y)) per row of {@code inner} elements, rows [from, to). */
    static void normalizeGradient(FloatBuffer y, FloatBuffer rstd, FloatBuffer g, FloatBuffer dx, int inner,
                                  int from, int to) {
        float[] a = new float[inner], b = new float[inner];
        for (int r = from; r < to; r++) {
            int base = r * inner;
            y.get(base, a, 0, inner);
            g.get(base, b, 0, inner);
            FloatVector sg = FloatVector.zero(S), sgy = FloatVector.zero(S);
            int i = 0, up = S.loopBound(inner);
            for (; i < up; i += S.length()) {
                FloatVector gv = FloatVector.fromArray(S, b, i);
                sg = sg.add(gv);
                sgy = gv.fma(FloatVector.fromArray(S, a, i), sgy);
            }
            double tg = sg.reduceLanes(VectorOperators.ADD), tgy = sgy.reduceLanes(VectorOperators.ADD);
            for (; i < inner; i++) {
                tg += b[i];
                tgy += b[i] * a[i];
            }
            float mg = (float) (tg / inner), mgy = (float) (tgy / inner), s = rstd.get(r);
            FloatVector mgv = FloatVector.broadcast(S, mg), mgyv = FloatVector.broadcast(S, mgy);
            FloatVector sv = FloatVector.broadcast(S, s);
            for (i = 0; i < up; i += S.length()) {
                FloatVector.fromArray(S, b, i).sub(mgv).sub(FloatVector.fromArray(S, a, i).mul(mgyv)).mul(sv)
                        .intoArray(b, i);
            }
            for (; i < inner; i++) b[i] = s * (b[i] - mg - a[i] * mgy);
            dx.put(base, b, 0, inner);
        }
    }

    private static double sum(float[] a, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) acc = acc.add(FloatVector.fromArray(S, a, i));
        double total = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) total += a[i];
        return total;
    }
}
