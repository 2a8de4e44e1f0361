package org.acejvm.attacks;

/** How the weight of the distance term changes over the attack iterations (as in the reference ACE code). */
public enum DistanceSchedule {
    /** Weight 1 at every iteration. */
    NONE,
    /**
     * Weight 0 while {@code i <= n / 2} (integer division), then 1: the first half of the iterations plus one, as the
     * reference computes it.
     */
    STEP,
    /** Weight {@code (i + 1) / n}. */
    LINEAR;

    /** The weight at iteration {@code i} (0-based) of {@code n}. */
    public double weight(int i, int n) {
        return switch (this) {
            case NONE -> 1.0;
            case STEP -> i <= n / 2 ? 0.0 : 1.0;
            case LINEAR -> (i + 1) / (double) n;
        };
    }
}
