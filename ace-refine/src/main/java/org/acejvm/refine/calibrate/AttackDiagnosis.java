package org.acejvm.refine.calibrate;

import java.util.Optional;
import org.acejvm.core.Checks;
import org.acejvm.core.result.Explanation;

/**
 * Why an attack left no usable pre-explanation: it stayed within one step of the input (a PGD that oscillates
 * between a step out and the distance term's pull back), or the target's probability did not rise. Both usually mean
 * the distance weight outweighs the class gradient that reaches the image through the filter.
 */
public final class AttackDiagnosis {
    /** The usual cause of a diagnosis. */
    public static final String CAUSE = "the distance weight outweighs the gradient through the filter";
    /** The advice given with a diagnosis (outside a calibration). */
    public static final String ADVICE = CAUSE + "; try ace calibrate (Calibration) or --lambda 0";

    private AttackDiagnosis() {}

    /** The largest per-pixel change of the pre-explanation from the original. */
    public static double largestChange(float[] original, Explanation e) {
        Checks.notNull(original, "original");
        float[] pre = e.preExplanation().data();
        Checks.sameCount(pre.length, "pre-explanation values", original.length, "original values");
        double max = 0;
        for (int i = 0; i < pre.length; i++) max = Math.max(max, Math.abs(pre[i] - original[i]));
        return max;
    }

    /**
     * A one-line reason when the attack (of more than one iteration) did not move ({@code original} is the image's values, {@code step} the attack's
     * step), empty when it moved and raised the target's probability.
     */
    public static Optional<String> of(float[] original, Explanation e, double step) {
        double moved = largestChange(original, e);
        // one iteration moves by one step at most: only a longer attack can be said to be stuck
        if (e.iterations() > 1 && moved <= step * (1 + 1e-6)) {
            return Optional.of(String.format(java.util.Locale.ROOT,
                    "the attack did not move (no pixel changed by more than one step, %.4f): %s", step, ADVICE));
        }
        if (!(e.afterAttack().target() > e.before().target())) {
            return Optional.of(String.format(java.util.Locale.ROOT,
                    "the attack did not raise the target's probability (%.4f before, %.4f after): %s",
                    e.before().target(), e.afterAttack().target(), ADVICE));
        }
        return Optional.empty();
    }
}
