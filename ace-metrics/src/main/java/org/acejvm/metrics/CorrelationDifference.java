package org.acejvm.metrics;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CD (correlation difference, Jeanneret et al.): {@code sum_i |corr(delta_i, delta_q) - corr_train(attr_i, attr_q)|},
 * where delta_i is the change of attribute i between image and counterfactual over all evaluated pairs, q is the
 * query attribute (the one the classifier predicts), and corr_train the Pearson correlation of the attribute labels
 * on the training set.
 *
 * <p>As in the reference evaluation, delta is taken on the oracle's decisions (p > 0.5, as 0/1) unless
 * {@link #onProbabilities()} is chosen, and a correlation with a constant variable (an attribute that never changes)
 * counts as 0; such attributes are listed in {@link Result#degenerate()}. The deltas are folded into running moments
 * ({@link FeatureMoments}), so pairs can be streamed. Not thread-safe.
 */
public final class CorrelationDifference {
    /** A co-moment sum(x - mean)^2 at or below this means a constant variable. */
    private static final double MIN_VARIANCE = 1e-20;

    private final AttributeOracle oracle;
    private final int query;
    private final double[] train;
    private final boolean decisions;
    private final FeatureMoments deltas = new FeatureMoments();

    private CorrelationDifference(AttributeOracle oracle, int query, double[] train, boolean decisions) {
        this.oracle = oracle;
        this.query = query;
        this.train = train;
        this.decisions = decisions;
    }

    /**
     * @param oracle            the attribute oracle (may be null if only {@link #addProbabilities} is used)
     * @param query             index of the query attribute
     * @param trainCorrelations corr_train(attr_i, attr_query) for every attribute i (length A)
     */
    public CorrelationDifference(AttributeOracle oracle, int query, double[] trainCorrelations) {
        this(oracle, query, checkedTrain(trainCorrelations, query), true);
    }

    /** With the train correlations taken from row {@code query} of a full A x A correlation matrix. */
    public static CorrelationDifference withCorrelationMatrix(AttributeOracle oracle, int query, double[][] matrix) {
        Checks.notNull(matrix, "matrix");
        Checks.classIndex(query, matrix.length, "query");
        for (double[] row : matrix) Checks.sameCount(row.length, "correlation matrix columns", matrix.length, "rows");
        return new CorrelationDifference(oracle, query, matrix[query].clone());
    }

    /** With the train correlations computed from the training set's attribute labels [M, A] (0/1 or -1/1). */
    public static CorrelationDifference withTrainLabels(AttributeOracle oracle, int query, INDArray labels) {
        return new CorrelationDifference(oracle, query, trainCorrelations(labels, query));
    }

    /** A copy that takes the deltas on the oracle's probabilities instead of its decisions. */
    public CorrelationDifference onProbabilities() {
        return new CorrelationDifference(oracle, query, train, false);
    }

    /** corr(attr_i, attr_query) over labels [M, A]; 0 for a constant attribute. */
    public static double[] trainCorrelations(INDArray labels, int query) {
        Checks.rank(labels, 2, "labels");
        Checks.classIndex(query, (int) labels.size(1), "query");
        FeatureMoments m = new FeatureMoments().add(labels);
        if (m.count() < 2) throw new InvalidInputException.Shape("labels: correlations need at least 2 rows, got " + m.count());
        return correlations(m.comoment(), query, new ArrayList<>());
    }

    private static double[] checkedTrain(double[] train, int query) {
        Checks.notNull(train, "trainCorrelations");
        Checks.classIndex(query, train.length, "query");
        for (double t : train) {
            if (!(t >= -1 - 1e-9 && t <= 1 + 1e-9)) {
                throw new InvalidInputException.Range("trainCorrelations: expected values in [-1, 1], got " + t);
            }
        }
        return train.clone();
    }

    /** Runs the oracle on a batch of pairs and adds their attribute changes. */
    public void add(INDArray originals, INDArray counterfactuals) {
        if (oracle == null) throw new IllegalStateException("no oracle; use addProbabilities");
        Metrics.checkImagePairs(originals, counterfactuals);
        addProbabilities(oracle.probabilities(originals), oracle.probabilities(counterfactuals));
    }

    /** Adds oracle probabilities [N, A] of originals and counterfactuals. */
    public void addProbabilities(INDArray originals, INDArray counterfactuals) {
        Checks.rank(originals, 2, "original attribute probabilities");
        Metrics.checkSameShape(originals, "original attribute probabilities", counterfactuals,
                "counterfactual attribute probabilities");
        if (originals.size(1) != train.length) {
            throw new InvalidInputException.Mismatch("expected " + train.length + " attributes (as the train correlations), got "
                    + originals.size(1));
        }
        Checks.finite(originals, "original attribute probabilities");
        Checks.finite(counterfactuals, "counterfactual attribute probabilities");
        INDArray p0 = Metrics.matrix(originals);
        INDArray p1 = Metrics.matrix(counterfactuals);
        if (decisions) {
            p0 = p0.gt(Mnac.DECISION_THRESHOLD).castTo(p1.dataType());
            p1 = p1.gt(Mnac.DECISION_THRESHOLD).castTo(p0.dataType());
        }
        deltas.add(p1.sub(p0));
    }

    /** CD so far; undefined with fewer than two pairs (a correlation needs at least two). */
    public Result result() {
        long n = deltas.count();
        if (n < 2) {
            return new Result(MetricValue.undefined("a correlation needs at least 2 pairs, got " + n, n),
                    new double[0], train.clone(), List.of());
        }
        List<Integer> degenerate = new ArrayList<>();
        double[] ours = correlations(deltas.comoment(), query, degenerate);
        double cd = 0;
        for (int i = 0; i < ours.length; i++) cd += Math.abs(ours[i] - train[i]);
        return new Result(MetricValue.of(cd, n), ours, train.clone(), List.copyOf(degenerate));
    }

    public MetricValue value() { return result().value(); }

    /**
     * CD, the correlations of each attribute's change with the query's change, the train correlations, and the
     * attributes whose correlation was set to 0 because a variable was constant.
     */
    public record Result(MetricValue value, double[] correlations, double[] trainCorrelations, List<Integer> degenerate) {}

    /** Pearson correlations of every column with column q, from a co-moment matrix; 0 where a variance is ~0. */
    private static double[] correlations(INDArray comoment, int q, List<Integer> degenerate) {
        int a = (int) comoment.size(0);
        double[] r = new double[a];
        double cqq = comoment.getDouble(q, q);
        for (int i = 0; i < a; i++) {
            double cii = comoment.getDouble(i, i);
            if (cii <= MIN_VARIANCE || cqq <= MIN_VARIANCE) {
                degenerate.add(i);
                r[i] = 0;
            } else {
                r[i] = Math.max(-1, Math.min(1, comoment.getDouble(i, q) / Math.sqrt(cii * cqq)));
            }
        }
        return r;
    }
}
