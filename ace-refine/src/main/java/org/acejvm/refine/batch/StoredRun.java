package org.acejvm.refine.batch;

import java.util.List;
import org.acejvm.core.result.Explanation;

/**
 * The explanations of a stage in the order asked for, and their cost: this run's wall time plus the recorded time of
 * each one taken from the store, so that a resumed run reports what the whole run cost.
 */
public record StoredRun(List<Explanation> explanations, long nanos) {
    public StoredRun { explanations = List.copyOf(explanations); }

    /** Mean seconds per explanation (0 when empty). */
    public double secondsPerExplanation() { return explanations.isEmpty() ? 0 : nanos / 1e9 / explanations.size(); }
}
