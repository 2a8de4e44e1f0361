package org.acejvm.attacks;

import org.acejvm.core.InvalidInputException;

/**
 * The step size at each iteration, from {@link AttackSettings#step()}: the loop hands the {@link StepRule} this
 * iteration's step. Constant for PGD, C&amp;W and the reference ACE; AIP/xGEMs decay it geometrically.
 *
 * <p>One step serves the whole search variable: AIP's separate step sizes for two blocks of its code are not
 * supported yet (they would need a per-block step in the {@link StepRule}).
 */
public sealed interface StepSchedule {

    /** The step of iteration {@code iteration} (0-based) for the configured step {@code step}. */
    double step(double step, int iteration);

    /** {@code step} at every iteration (the default). */
    static StepSchedule constant() { return Constant.INSTANCE; }

    /** {@code step * beta^iteration}: the first iteration takes {@code step}, each later one {@code beta} times less. */
    static StepSchedule geometric(double beta) { return new Geometric(beta); }

    /** See {@link StepSchedule#constant()}. */
    final class Constant implements StepSchedule {
        static final Constant INSTANCE = new Constant();

        private Constant() {}

        @Override public double step(double step, int iteration) { return step; }

        @Override public String toString() { return "StepSchedule.constant()"; }
    }

    /** See {@link StepSchedule#geometric(double)}. */
    record Geometric(double beta) implements StepSchedule {
        public Geometric {
            if (!(beta > 0 && beta <= 1)) {
                throw new InvalidInputException.Range("step decay beta: expected a value in (0, 1], got " + beta);
            }
        }

        @Override public double step(double step, int iteration) { return step * Math.pow(beta, iteration); }
    }
}
