package org.acejvm.attacks;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;

/**
 * The settings every iterative attack shares. The defaults are the reference ACE code's: 50 iterations, step 1/255,
 * epsilon 1 (unbounded in L-infinity on [0, 1] images), lambda1 = 0.001, lambda2 = 0, no further penalty, no distance
 * schedule, a constant step, no early stop.
 *
 * @param iterations    number of gradient steps
 * @param step          step size (PGD: per-pixel change; GD and C&amp;W: gradient multiplier; Adam: learning rate) at
 *                      the first iteration; {@code stepSchedule} gives the later ones
 * @param epsilon       radius of the ball around the original image that iterates are projected onto
 * @param norm          the ball's norm
 * @param lambda1       weight of {@code sum |x - x'|} (over the whole batch, not averaged)
 * @param lambda2       weight of {@code sum_b ||x_b - x'_b||_2}
 * @param schedule      how the distance weight changes over the iterations
 * @param stopRule      optional per-sample early stop
 * @param lossBatchSize averaged class losses (cross-entropy) are divided by this fixed number rather than by the
 *                      size of the batch actually run, so that a sample's result does not depend on how the data
 *                      were split into batches; 16 reproduces the reference's mean over its batch of 16
 * @param penalties     terms added after the pixel ones of lambda1 and lambda2 (for example
 *                      {@link Penalty#latentL2(double)}), weighted by the same schedule
 * @param stepSchedule  the step of each iteration, from {@code step}
 * @param filterSamples noise draws of the image map per iteration whose gradients (and losses) are averaged: an
 *                      estimate of the expected gradient over the filter's randomness; 1 (the reference) is one draw
 */
public record AttackSettings(int iterations, double step, double epsilon, Norm norm, double lambda1, double lambda2,
                             DistanceSchedule schedule, StopRule stopRule, int lossBatchSize, List<Penalty> penalties,
                             StepSchedule stepSchedule, int filterSamples) {

    public static final int REFERENCE_ITERATIONS = 50;
    public static final double REFERENCE_STEP = 1.0 / 255.0;
    public static final double REFERENCE_EPSILON = 1.0;
    public static final double REFERENCE_LAMBDA1 = 0.001;
    public static final int REFERENCE_BATCH_SIZE = 16;

    public AttackSettings {
        if (iterations < 1) throw new InvalidInputException.Range("iterations: expected at least 1, got " + iterations);
        Checks.positive(step, "step");
        Checks.positive(epsilon, "epsilon");
        Checks.nonNegative(lambda1, "lambda1");
        Checks.nonNegative(lambda2, "lambda2");
        Checks.notNull(norm, "norm");
        Checks.notNull(schedule, "schedule");
        Checks.notNull(stopRule, "stopRule");
        if (lossBatchSize < 1) {
            throw new InvalidInputException.Range("lossBatchSize: expected at least 1, got " + lossBatchSize);
        }
        Checks.notNull(penalties, "penalties");
        penalties.forEach(p -> Checks.notNull(p, "penalty"));
        penalties = List.copyOf(penalties);
        Checks.notNull(stepSchedule, "stepSchedule");
        if (filterSamples < 1) {
            throw new InvalidInputException.Range("filterSamples: expected at least 1, got " + filterSamples);
        }
    }

    /** Every penalty of the objective: the pixel l1 and l2 of lambda1 and lambda2 (when positive), then {@link #penalties()}. */
    public List<Penalty> allPenalties() {
        List<Penalty> all = new ArrayList<>(Penalty.pixels(lambda1, lambda2));
        all.addAll(penalties);
        return all;
    }

    /** The reference defaults. */
    public static AttackSettings defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() {
        return new Builder().iterations(iterations).step(step).epsilon(epsilon).norm(norm).lambda1(lambda1)
                .lambda2(lambda2).schedule(schedule).stopRule(stopRule).lossBatchSize(lossBatchSize)
                .penalties(penalties).stepSchedule(stepSchedule).filterSamples(filterSamples);
    }

    /** Builder for {@link AttackSettings}, starting from the reference defaults. */
    public static final class Builder {
        private int iterations = REFERENCE_ITERATIONS;
        private double step = REFERENCE_STEP;
        private double epsilon = REFERENCE_EPSILON;
        private Norm norm = Norm.LINF;
        private double lambda1 = REFERENCE_LAMBDA1;
        private double lambda2 = 0.0;
        private DistanceSchedule schedule = DistanceSchedule.NONE;
        private StopRule stopRule = StopRule.never();
        private int lossBatchSize = REFERENCE_BATCH_SIZE;
        private List<Penalty> penalties = List.of();
        private StepSchedule stepSchedule = StepSchedule.constant();
        private int filterSamples = 1;

        private Builder() {}

        public Builder iterations(int v) { iterations = v; return this; }
        public Builder step(double v) { step = v; return this; }
        public Builder epsilon(double v) { epsilon = v; return this; }
        public Builder norm(Norm v) { norm = v; return this; }
        public Builder lambda1(double v) { lambda1 = v; return this; }
        public Builder lambda2(double v) { lambda2 = v; return this; }
        public Builder schedule(DistanceSchedule v) { schedule = v; return this; }
        public Builder stopRule(StopRule v) { stopRule = v; return this; }
        public Builder lossBatchSize(int v) { lossBatchSize = v; return this; }
        public Builder penalties(List<Penalty> v) { penalties = v; return this; }
        public Builder penalties(Penalty... v) { penalties = List.of(v); return this; }
        public Builder stepSchedule(StepSchedule v) { stepSchedule = v; return this; }
        public Builder filterSamples(int v) { filterSamples = v; return this; }

        public AttackSettings build() {
            return new AttackSettings(iterations, step, epsilon, norm, lambda1, lambda2, schedule, stopRule, lossBatchSize,
                    penalties, stepSchedule, filterSamples);
        }
    }
}
