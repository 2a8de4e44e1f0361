package org.acejvm.refine;

import org.acejvm.attacks.AttackIteration;
import org.acejvm.core.result.Explanation;

/** Progress of an explanation run (for progress bars and for saving results as they come). */
public interface ExplainListener {
    /** One attack iteration of the current batch and variant. */
    default void onIteration(int variant, AttackIteration event) {}

    /** A finished explanation (called as soon as its batch is done, so a long run never loses finished results). */
    default void onExplanation(Explanation explanation) {}

    /** {@code done} of {@code total} (image, variant) pairs are finished. */
    default void onProgress(long done, long total) {}

    static ExplainListener none() { return new ExplainListener() {}; }
}
