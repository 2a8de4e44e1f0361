package org.acejvm.core.graph.plan;

import java.nio.FloatBuffer;
import java.util.logging.Logger;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Whether the plan's kernels on the Java Vector API ({@link VectorKernels}: SiLU forward and backward, the fused
 * normalisation's sums) run in this JVM. They need the JVM flag {@code --add-modules jdk.incubator.vector} (which
 * {@code ./ace}, the tests and the benchmarks pass); without it, or when the module does not work on this JDK,
 * {@link #available()} is false and the plan keeps ND4J's SiLU and scalar Java loops for the normalisation (about
 * 10-20% slower attack steps; results agree to rounding), with one log line saying so.
 */
final class JavaKernels {
    private JavaKernels() {}

    private static final Logger LOG = Logger.getLogger(JavaKernels.class.getName());
    private static final boolean AVAILABLE = probe();

    /** Whether the vector kernels run in this JVM ({@code -Dace.plan.vector=false} turns them off). */
    static boolean available() { return AVAILABLE; }

    private static boolean probe() {
        if (!Boolean.parseBoolean(System.getProperty("ace.plan.vector", "true"))) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.info("the JVM runs without --add-modules jdk.incubator.vector: the plan computes SiLU with ND4J's "
                    + "ops and normalises with scalar loops (slower; results agree to rounding)");
            return false;
        }
        try { // the incubator API changes between JDKs: check it links and computes
            FloatBuffer x = FloatBuffer.wrap(new float[] {-2f, 0f, 3f}), y = FloatBuffer.allocate(3);
            VectorKernels.silu(x, y, 0, 3);
            return Math.abs(y.get(2) - 3.0 / (1 + Math.exp(-3.0))) < 1e-5 && y.get(1) == 0f;
        } catch (LinkageError | RuntimeException e) {
            LOG.info("the Java Vector API does not work here (" + e + "): the plan computes SiLU with ND4J's ops");
            return false;
        }
    }

    /** The step computing y = silu(x), or null when the kernels are not available or the arrays are not dense floats. */
    static Runnable silu(INDArray x, INDArray y) {
        if (!AVAILABLE || !denseFloats(x, y)) return null;
        FloatBuffer fx = FloatLoops.of(x), fy = FloatLoops.of(y);
        int n = (int) y.length();
        return () -> FloatLoops.parallel(n, (from, to) -> VectorKernels.silu(fx, fy, from, to));
    }

    /** The step computing out = g * silu'(x), or null as {@link #silu}. */
    static Runnable siluGradient(INDArray x, INDArray g, INDArray out) {
        if (!AVAILABLE || !denseFloats(x, g, out)) return null;
        FloatBuffer fx = FloatLoops.of(x), fg = FloatLoops.of(g), fo = FloatLoops.of(out);
        int n = (int) out.length();
        return () -> FloatLoops.parallel(n, (from, to) -> VectorKernels.siluGradient(fx, fg, fo, from, to));
    }

    /**
     * The step computing {@link NormalizeFusion}'s forward pass over {@code rows} rows of {@code inner} elements, or
     * null when the kernels are not available (the buffers come from {@link FloatLoops#of}, dense floats).
     */
    static Runnable normalize(FloatBuffer x, FloatBuffer y, FloatBuffer rstd, int rows, int inner, double eps) {
        if (!AVAILABLE) return null;
        return () -> FloatLoops.parallelRows(rows, inner, (from, to) -> VectorKernels.normalize(x, y, rstd, inner, eps, from, to));
    }

    /** The step computing {@link NormalizeFusion}'s input gradient, or null as {@link #normalize}. */
    static Runnable normalizeGradient(FloatBuffer y, FloatBuffer rstd, FloatBuffer g, FloatBuffer dx, int rows, int inner) {
        if (!AVAILABLE) return null;
        return () -> FloatLoops.parallelRows(rows, inner,
                (from, to) -> VectorKernels.normalizeGradient(y, rstd, g, dx, inner, from, to));
    }

    /** Dense float32 arrays of one length (what {@link FloatLoops#of} reads). */
    private static boolean denseFloats(INDArray... arrays) {
        long n = arrays[0].length();
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT || a.length() != n || !FloatLoops.dense(a)) return false;
        }
        return true;
    }
}
