package org.acejvm.metrics;

import org.acejvm.core.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MNAC: the mean number of attributes whose oracle decision (p > 0.5) differs between an image and its
 * counterfactual, over all A attributes (as the reference evaluation computes it). Streaming; not thread-safe.
 */
public final class Mnac {
    /** An attribute is present when its probability exceeds this. */
    public static final double DECISION_THRESHOLD = 0.5;

    private final AttributeOracle oracle;
    private long changed;
    private long count;

    /** @param oracle the attribute oracle (may be null if only {@link #addProbabilities} is used) */
    public Mnac(AttributeOracle oracle) {
        this.oracle = oracle;
    }

    /** Runs the oracle on a batch of pairs; returns the number of changed attributes of each pair. */
    public int[] add(INDArray originals, INDArray counterfactuals) {
        if (oracle == null) throw new IllegalStateException("no oracle; use addProbabilities");
        Metrics.checkImagePairs(originals, counterfactuals);
        return addProbabilities(oracle.probabilities(originals), oracle.probabilities(counterfactuals));
    }

    /** Adds oracle probabilities [N, A] of originals and counterfactuals; returns the changed count of each pair. */
    public int[] addProbabilities(INDArray originals, INDArray counterfactuals) {
        Checks.rank(originals, 2, "original attribute probabilities");
        Metrics.checkSameShape(originals, "original attribute probabilities", counterfactuals,
                "counterfactual attribute probabilities");
        Checks.finite(originals, "original attribute probabilities");
        Checks.finite(counterfactuals, "counterfactual attribute probabilities");
        double[][] p0 = Metrics.rows(originals);
        double[][] p1 = Metrics.rows(counterfactuals);
        int[] perPair = new int[p0.length];
        for (int i = 0; i < p0.length; i++) {
            for (int a = 0; a < p0[i].length; a++) {
                if ((p0[i][a] > DECISION_THRESHOLD) != (p1[i][a] > DECISION_THRESHOLD)) perPair[i]++;
            }
            changed += perPair[i];
        }
        count += p0.length;
        return perPair;
    }

    public MetricValue value() {
        return Metrics.mean(changed, count, "no pairs were evaluated");
    }
}
