package org.acejvm.core.graph.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** SiLU, the normalisation and their gradients on the Vector API against double-precision formulas, including the tails of exp. */
class JavaKernelsTest {

    @Test
    void theTestJvmRunsTheVectorKernelsUnlessTurnedOff() {
        // the build passes --add-modules jdk.incubator.vector to the tests, as ./ace does to users' runs; a second
        // surefire execution runs the plan's tests with -Dace.plan.vector=false
        boolean off = "false".equals(System.getProperty("ace.plan.vector"));
        assertThat(JavaKernels.available()).isEqualTo(!off);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3);
        assertThat(JavaKernels.silu(x, Nd4j.create(DataType.FLOAT, 2, 3)) == null).isEqualTo(off);
    }

    @Test
    void siluAndItsGradientMatchDoublePrecision() {
        org.junit.jupiter.api.Assumptions.assumeTrue(JavaKernels.available(), "the Vector API kernels are turned off");
        int n = 5003; // not a multiple of the vector width or of the chunk: the scalar tails run too
        float[] xs = new float[n], gs = new float[n];
        Random random = new Random(7);
        for (int i = 0; i < n; i++) {
            xs[i] = (float) (random.nextGaussian() * 6);
            gs[i] = (float) random.nextGaussian();
        }
        float[] tails = {-200f, -88.7f, -30f, -1e-8f, 0f, 1e-8f, 30f, 88.7f, 200f};
        System.arraycopy(tails, 0, xs, 100, tails.length);
        INDArray x = Nd4j.create(xs, new long[] {1, n}), g = Nd4j.create(gs, new long[] {1, n});
        INDArray y = Nd4j.create(DataType.FLOAT, 1, n), dx = Nd4j.create(DataType.FLOAT, 1, n);
        JavaKernels.silu(x, y).run();
        JavaKernels.siluGradient(x, g, dx).run();
        for (int i = 0; i < n; i++) {
            double v = xs[i], s = 1 / (1 + Math.exp(-v));
            double want = v * s, wantGrad = gs[i] * (s + v * s * (1 - s));
            assertThat((double) y.getFloat(i)).as("silu(%s)", v).isCloseTo(want, org.assertj.core.data.Offset.offset(2e-6 * Math.max(1, Math.abs(want))));
            assertThat((double) dx.getFloat(i)).as("silu'(%s)", v).isCloseTo(wantGrad, org.assertj.core.data.Offset.offset(2e-6 * Math.max(1, Math.abs(wantGrad))));
        }
    }

    @Test
    void viewsWithGapsAndOtherTypesAreLeftToNd4j() {
        org.junit.jupiter.api.Assumptions.assumeTrue(JavaKernels.available(), "the Vector API kernels are turned off");
        INDArray wide = Nd4j.rand(DataType.FLOAT, 4, 6);
        INDArray columns = wide.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3));
        assertThat(JavaKernels.silu(columns, Nd4j.create(DataType.FLOAT, 4, 3))).isNull();
        assertThat(JavaKernels.silu(Nd4j.rand(DataType.DOUBLE, 2, 2), Nd4j.create(DataType.DOUBLE, 2, 2))).isNull();
    }

    @Test
    void normalisationAndItsGradientMatchDoublePrecision() {
        int rows = 3, inner = 1000 + 3; // a tail after the last full vector
        float[] xs = new float[rows * inner], gs = new float[rows * inner];
        Random random = new Random(11);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (5 + random.nextGaussian() * 2); // an offset mean: the two-pass variance matters
            gs[i] = (float) random.nextGaussian();
        }
        java.nio.FloatBuffer x = java.nio.FloatBuffer.wrap(xs), g = java.nio.FloatBuffer.wrap(gs);
        java.nio.FloatBuffer y = java.nio.FloatBuffer.allocate(xs.length), rstd = java.nio.FloatBuffer.allocate(rows);
        java.nio.FloatBuffer dx = java.nio.FloatBuffer.allocate(xs.length);
        double eps = 1e-5;
        VectorKernels.normalize(x, y, rstd, inner, eps, 0, rows);
        VectorKernels.normalizeGradient(y, rstd, g, dx, inner, 0, rows);
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0, mg = 0, mgy = 0;
            for (int j = 0; j < inner; j++) mean += xs[r * inner + j];
            mean /= inner;
            for (int j = 0; j < inner; j++) var += Math.pow(xs[r * inner + j] - mean, 2);
            double s = 1 / Math.sqrt(var / inner + eps);
            assertThat((double) rstd.get(r)).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-6 * s));
            for (int j = 0; j < inner; j++) {
                double yj = (xs[r * inner + j] - mean) * s;
                assertThat((double) y.get(r * inner + j)).isCloseTo(yj, org.assertj.core.data.Offset.offset(2e-6));
                mg += gs[r * inner + j] / inner;
                mgy += gs[r * inner + j] * yj / inner;
            }
            for (int j = 0; j < inner; j++) {
                double yj = (xs[r * inner + j] - mean) * s, want = s * (gs[r * inner + j] - mg - yj * mgy);
                assertThat((double) dx.get(r * inner + j)).isCloseTo(want, org.assertj.core.data.Offset.offset(2e-6 * s));
            }
        }
    }
}
