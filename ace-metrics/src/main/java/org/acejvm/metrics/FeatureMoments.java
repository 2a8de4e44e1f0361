package org.acejvm.metrics;

import java.util.Arrays;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A streaming Gaussian fit of feature vectors: count, running mean and co-moment matrix
 * {@code sum (x - mean)(x - mean)^T}, all in double precision. Batches are combined with the pairwise update of
 * Chan, Golub and LeVeque (the batch form of Welford's algorithm): each batch is centred on its own mean, and
 * {@code M = M_a + M_b + (mean_b - mean_a)(mean_b - mean_a)^T * n_a n_b / n}, so neither the sum of squares nor the
 * features themselves are ever held: memory is O(D^2) however many images are added. Not thread-safe; combine
 * per-thread instances with {@link #merge}.
 */
public final class FeatureMoments {
    private long count;
    private INDArray mean;      // [D] double
    private INDArray comoment;  // [D, D] double

    /** Adds a batch of feature vectors [N, D] (trailing dimensions are flattened). */
    public FeatureMoments add(INDArray features) {
        Checks.notNull(features, "features");
        if (features.rank() < 2) {
            throw new InvalidInputException.Shape("features: expected [N, D], got shape " + Arrays.toString(features.shape()));
        }
        long n = features.size(0);
        if (n == 0) return this;
        Checks.finite(features, "features");
        INDArray x = Metrics.matrix(features);
        INDArray batchMean = x.mean(0);
        INDArray centred = x.subRowVector(batchMean);
        INDArray batchComoment = centred.transpose().mmul(centred);
        combine(n, batchMean, batchComoment);
        return this;
    }

    /** Adds everything {@code other} has seen (the result is as if its batches had been added here). */
    public FeatureMoments merge(FeatureMoments other) {
        Checks.notNull(other, "other");
        if (other.count == 0) return this;
        combine(other.count, other.mean.dup(), other.comoment.dup());
        return this;
    }

    private void combine(long nb, INDArray meanB, INDArray comomentB) {
        if (count == 0) {
            count = nb;
            mean = meanB.reshape(meanB.length()).dup();
            comoment = comomentB;
            return;
        }
        if (meanB.length() != mean.length()) {
            throw new InvalidInputException.Shape("features: expected dimension " + mean.length() + " as in earlier batches, got "
                    + meanB.length());
        }
        long na = count;
        long n = na + nb;
        INDArray delta = meanB.reshape(meanB.length()).sub(mean);
        INDArray d = delta.reshape(delta.length(), 1);
        comoment.addi(comomentB).addi(d.mmul(d.transpose()).muli((double) na * nb / n));
        mean.addi(delta.mul((double) nb / n));
        count = n;
    }

    public long count() { return count; }

    /** The feature dimension D, or 0 before the first batch. */
    public long dimension() { return mean == null ? 0 : mean.length(); }

    /** The mean [D] (a copy). */
    public INDArray mean() {
        requireData();
        return mean.dup();
    }

    /** The unbiased covariance [D, D] (divided by n - 1, as numpy.cov); needs at least two samples. */
    public INDArray covariance() {
        if (count < 2) throw new IllegalStateException("a covariance needs at least 2 samples, have " + count);
        return comoment.div(count - 1);
    }

    /** The co-moment sum (x - mean)(x - mean)^T [D, D] (a copy). */
    public INDArray comoment() {
        requireData();
        return comoment.dup();
    }

    private void requireData() {
        if (count == 0) throw new IllegalStateException("no features have been added");
    }

    /**
     * The accumulator's values as plain arrays, to ship between processes (a cluster's partitions merge theirs on the
     * driver): {@code comoment} is the D x D matrix in row-major order; all empty before the first batch.
     */
    public record State(long count, double[] mean, double[] comoment) implements java.io.Serializable {
        public State {
            Checks.notNull(mean, "mean");
            Checks.notNull(comoment, "comoment");
            if (count < 0 || (long) mean.length * mean.length != comoment.length || (count == 0) != (mean.length == 0)) {
                throw new InvalidInputException.Shape("feature moments: expected count >= 0, a mean of D values and a "
                        + "D x D co-moment (both empty when the count is 0), got count " + count + ", " + mean.length
                        + " and " + comoment.length + " values");
            }
        }
    }

    /** This accumulator's state (copies). */
    public State state() {
        if (count == 0) return new State(0, new double[0], new double[0]);
        return new State(count, mean.toDoubleVector(), comoment.dup('c').data().asDouble());
    }

    /** An accumulator holding {@code state} (merge it into another with {@link #merge}). */
    public static FeatureMoments of(State state) {
        Checks.notNull(state, "state");
        FeatureMoments m = new FeatureMoments();
        if (state.count() == 0) return m;
        int d = state.mean().length;
        m.count = state.count();
        m.mean = Nd4j.create(state.mean().clone(), new long[] {d}, DataType.DOUBLE);
        m.comoment = Nd4j.create(state.comoment().clone(), new long[] {d, d}, DataType.DOUBLE);
        return m;
    }

    /** An empty accumulator for feature vectors of dimension D filled from a double matrix (convenience for tests). */
    public static FeatureMoments of(double[][] features) {
        return new FeatureMoments().add(Nd4j.create(features).castTo(DataType.DOUBLE));
    }
}
