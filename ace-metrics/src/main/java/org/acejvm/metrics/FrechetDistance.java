package org.acejvm.metrics;

import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The Frechet distance between two Gaussians, {@code ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))}, in
 * double precision: the distance behind FID and sFID.
 *
 * <p>How {@code tr((S1 S2)^(1/2))} is computed, and why it is stable: pytorch-fid takes {@code scipy.linalg.sqrtm}
 * of the non-symmetric product S1 S2 (a complex Schur decomposition), which for nearly singular covariances returns
 * spurious imaginary parts or non-finite values and needs an eps*I retry. Here only symmetric eigendecompositions are
 * used (LAPACK syev, backward stable): with S1 = V diag(l) V^T and B = V diag(sqrt(max(l, 0))), so that
 * S1^(1/2) = V B^T = B V^T, the product S1 S2 = S1^(1/2) (S1^(1/2) S2) has the same eigenvalues as
 * (S1^(1/2) S2) S1^(1/2) = V (B^T S2 B) V^T (XY and YX share their eigenvalues, singular S1 included), hence as the
 * symmetric positive semi-definite M = B^T S2 B. The trace of the square root is
 * {@code sum_i sqrt(max(eig_i(M), 0))}: real by construction, with round-off negatives (from rank-deficient
 * covariances, e.g. constant images or fewer samples than dimensions) clamped to zero. Cost: one D x D eigensystem
 * with vectors and one without (at D = 2048 on 2 cores: about 12 s and 2 s).
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /**
     * The Frechet distance between the Gaussian fits of two feature sets; undefined when either has fewer than two
     * samples (a covariance needs at least two). {@code count} of the result is the total number of samples.
     */
    public static MetricValue between(FeatureMoments a, FeatureMoments b) {
        Checks.notNull(a, "a");
        Checks.notNull(b, "b");
        long total = a.count() + b.count();
        if (a.count() < 2 || b.count() < 2) {
            return MetricValue.undefined("the Frechet distance needs at least 2 samples in each set for a covariance, got "
                    + a.count() + " and " + b.count(), total);
        }
        if (a.dimension() != b.dimension()) {
            throw new InvalidInputException.Shape("feature dimensions differ: " + a.dimension() + " and " + b.dimension());
        }
        return MetricValue.of(compute(a.mean(), a.covariance(), b.mean(), b.covariance()), total);
    }

    /** The Frechet distance between N(mu1, sigma1) and N(mu2, sigma2); vectors [D], matrices [D, D]. */
    public static double compute(INDArray mu1, INDArray sigma1, INDArray mu2, INDArray sigma2) {
        long d = mu1.length();
        if (mu2.length() != d || !square(sigma1, d) || !square(sigma2, d)) {
            throw new InvalidInputException.Shape("expected means [" + d + "] and covariances [" + d + ", " + d + "], got "
                    + java.util.Arrays.toString(mu1.shape()) + ", " + java.util.Arrays.toString(sigma1.shape()) + ", "
                    + java.util.Arrays.toString(mu2.shape()) + ", " + java.util.Arrays.toString(sigma2.shape()));
        }
        INDArray m1 = mu1.castTo(DataType.DOUBLE).reshape(d);
        INDArray m2 = mu2.castTo(DataType.DOUBLE).reshape(d);
        INDArray diff = m1.sub(m2);
        double meanTerm = diff.mul(diff).sumNumber().doubleValue();
        INDArray s1 = symmetric(sigma1);
        INDArray s2 = symmetric(sigma2);
        double fid = meanTerm + trace(s1) + trace(s2) - 2.0 * traceSqrtProduct(s1, s2);
        // Mathematically >= 0; identical inputs can land a few ulps below zero.
        return Math.max(0.0, fid);
    }

    /** tr((S1 S2)^(1/2)) for symmetric positive semi-definite S1, S2 (see the class comment). */
    static double traceSqrtProduct(INDArray s1, INDArray s2) {
        INDArray vectors = s1.dup('f');
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(vectors, true); // vectors now holds V (columns)
        INDArray b = vectors.mulRowVector(Transforms.sqrt(Transforms.max(values, 0.0), false));
        INDArray m = symmetric(b.transpose().mmul(s2).mmul(b));
        // eigenvalues only (jobz 'N'): Eigen.symmetricGeneralizedEigenvalues(m, false) still computes the vectors
        INDArray eig = Nd4j.create(DataType.DOUBLE, m.size(0));
        int info = Nd4j.getBlasWrapper().lapack().syev('N', 'L', m.dup('f'), eig);
        if (info != 0) throw new ArithmeticException("LAPACK syev did not converge (info " + info + ")");
        double sum = 0;
        for (double e : eig.toDoubleVector()) sum += Math.sqrt(Math.max(e, 0.0));
        return sum;
    }

    private static INDArray symmetric(INDArray s) {
        INDArray x = s.castTo(DataType.DOUBLE);
        return x.add(x.transpose()).muli(0.5);
    }

    private static double trace(INDArray s) {
        double t = 0;
        for (long i = 0; i < s.size(0); i++) t += s.getDouble(i, i);
        return t;
    }

    private static boolean square(INDArray s, long d) {
        return s.rank() == 2 && s.size(0) == d && s.size(1) == d;
    }
}
