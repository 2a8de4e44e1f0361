package org.acejvm.attacks;

import org.acejvm.core.InvalidInputException;

/**
 * When a sample's attack may stop before the last iteration. A stopped sample keeps the iterate at which the rule
 * fired and leaves the batch (the rest go on, smaller and faster); the batch ends when every sample has stopped.
 * The rule reads the classifier's probabilities on the mapped image that the objective just evaluated.
 */
public sealed interface StopRule {

    /** Run every iteration (the reference behaviour). */
    static StopRule never() { return Never.INSTANCE; }

    /**
     * Stop a sample once the target's probability exceeds every other class's by more than {@code margin}
     * (untargeted: once some class other than the source exceeds the source's by more than {@code margin}).
     * {@code margin = 0} stops as soon as the target is the predicted class.
     */
    static StopRule targetReached(double margin) { return new TargetReached(margin); }

    /**
     * Stop a sample once the target's probability reaches {@code threshold} (untargeted: once the source's falls to
     * {@code 1 - threshold} or below); Counterfactual Attacks stop at 0.5 or 0.75.
     */
    static StopRule probabilityAtLeast(double threshold) { return new ProbabilityAtLeast(threshold); }

    /** Whether the sample with probabilities {@code p} has reached its goal. */
    boolean reached(float[] p, int source, int target, boolean targeted);

    /** True when the rule can fire. */
    default boolean active() { return true; }

    /** Never stops early. */
    final class Never implements StopRule {
        static final Never INSTANCE = new Never();

        private Never() {}

        @Override public boolean reached(float[] p, int source, int target, boolean targeted) { return false; }

        @Override public boolean active() { return false; }

        @Override public String toString() { return "StopRule.never()"; }
    }

    /** See {@link StopRule#targetReached(double)}. */
    record TargetReached(double margin) implements StopRule {
        public TargetReached {
            if (!(margin >= 0 && margin < 1)) {
                throw new InvalidInputException.Range("stop margin: expected a value in [0, 1), got " + margin);
            }
        }

        @Override
        public boolean reached(float[] p, int source, int target, boolean targeted) {
            if (targeted) {
                double best = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < p.length; c++) if (c != target) best = Math.max(best, p[c]);
                return p[target] - best > margin;
            }
            double best = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < p.length; c++) if (c != source) best = Math.max(best, p[c]);
            return best - p[source] > margin;
        }
    }

    /** See {@link StopRule#probabilityAtLeast(double)}. */
    record ProbabilityAtLeast(double threshold) implements StopRule {
        public ProbabilityAtLeast {
            if (!(threshold > 0 && threshold <= 1)) {
                throw new InvalidInputException.Range("stop probability: expected a value in (0, 1], got " + threshold);
            }
        }

        @Override
        public boolean reached(float[] p, int source, int target, boolean targeted) {
            return targeted ? p[target] >= threshold : 1.0 - p[source] >= threshold;
        }
    }
}
