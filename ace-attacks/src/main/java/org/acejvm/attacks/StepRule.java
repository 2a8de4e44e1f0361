package org.acejvm.attacks;

import org.acejvm.core.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How an attack turns the objective's gradient into its next iterate: the only part in which PGD, GD, C&amp;W and
 * Adam differ (projection, clamping and bookkeeping belong to the loop). Descends: the objective is minimised.
 */
public interface StepRule {

    /** Per-run state for a search variable of {@code shape} (for example Adam's moments). */
    Stepper start(long[] shape);

    /** The state of one attack run. */
    interface Stepper {
        /**
         * The next search value before projection.
         *
         * @param search    the current value [n, ...]
         * @param gradient  d objective / d search, same shape
         * @param iteration 0-based iteration
         * @param step      {@link AttackSettings#step()}
         */
        INDArray next(INDArray search, INDArray gradient, int iteration, double step);

        /** Keep only the state of rows {@code rows} (samples that stopped early leave the batch). */
        default void retain(int[] rows) {}
    }

    /** {@code s - step * sign(g)} (PGD, FGSM). */
    static StepRule sign() { return Sign.INSTANCE; }

    /** {@code s - step * g} (GD, C&amp;W's fixed-step update of w). */
    static StepRule gradient() { return Gradient.INSTANCE; }

    /** Adam with learning rate {@code step}: bias-corrected moments, {@code s - step * m / (sqrt(v) + eps)}. */
    static StepRule adam(double beta1, double beta2, double eps) { return new Adam(beta1, beta2, eps); }

    /**
     * {@code s - step * scale ⊙ g} with one scale per coordinate of a sample ({@code scale.length} = the search
     * variable's size per sample): blocks of the search variable with their own step sizes (AIP's mu for the code z,
     * gamma for the attributes a; a scale of 0 freezes a block).
     */
    static StepRule scaledGradient(double[] scale) { return new ScaledGradient(scale, false, 0); }

    /**
     * {@code s - step * scale ⊙ r}, r drawn from N(0, 1) per coordinate and iteration, ignoring the gradient: the random
     * baseline of a gradient search with the same blocks and budget (AIP_R). Repeatable for a seed and a batch.
     */
    static StepRule randomDirection(double[] scale, long seed) { return new ScaledGradient(scale, true, seed); }

    /** See {@link StepRule#scaledGradient(double[])} and {@link StepRule#randomDirection(double[], long)}. */
    final class ScaledGradient implements StepRule {
        private final float[] scale;
        private final boolean random;
        private final long seed;

        ScaledGradient(double[] scale, boolean random, long seed) {
            Checks.notNull(scale, "scale");
            if (scale.length == 0) throw new org.acejvm.core.InvalidInputException.Shape("step scales: expected at least one");
            this.scale = new float[scale.length];
            for (int i = 0; i < scale.length; i++) {
                Checks.nonNegative(scale[i], "step scale " + i);
                this.scale[i] = (float) scale[i];
            }
            this.random = random;
            this.seed = seed;
        }

        @Override
        public Stepper start(long[] shape) {
            long per = 1;
            for (int i = 1; i < shape.length; i++) per *= shape[i];
            if (per != scale.length) {
                throw new org.acejvm.core.InvalidInputException.Mismatch("step scales: " + scale.length
                        + " given for a search variable of " + per + " values per sample");
            }
            java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
            return (search, gradient, iteration, step) -> {
                float[] s = Floats.of(search);
                float[] g = random ? null : Floats.of(gradient);
                float st = (float) step;
                for (int i = 0; i < s.length; i++) {
                    float d = random ? (float) gaussian(rng) : g[i];
                    s[i] -= st * scale[i % scale.length] * d;
                }
                return Floats.create(s, search.shape());
            };
        }

        private static double gaussian(java.util.SplittableRandom rng) {
            // Box-Muller: SplittableRandom has no nextGaussian on Java 17
            double u = 1.0 - rng.nextDouble(), v = rng.nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        }

        @Override
        public String toString() {
            return (random ? "StepRule.randomDirection(seed " + seed + ", " : "StepRule.scaledGradient(") + scale.length + " scales)";
        }
    }

    /** See {@link StepRule#sign()}. */
    final class Sign implements StepRule, Stepper {
        static final Sign INSTANCE = new Sign();

        private Sign() {}

        @Override public Stepper start(long[] shape) { return this; }

        @Override
        public INDArray next(INDArray search, INDArray gradient, int iteration, double step) {
            float[] s = Floats.of(search);
            float[] g = Floats.of(gradient);
            float st = (float) step;
            for (int i = 0; i < s.length; i++) s[i] -= st * Math.signum(g[i]);
            return Floats.create(s, search.shape());
        }

        @Override public String toString() { return "StepRule.sign()"; }
    }

    /** See {@link StepRule#gradient()}. */
    final class Gradient implements StepRule, Stepper {
        static final Gradient INSTANCE = new Gradient();

        private Gradient() {}

        @Override public Stepper start(long[] shape) { return this; }

        @Override
        public INDArray next(INDArray search, INDArray gradient, int iteration, double step) {
            float[] s = Floats.of(search);
            float[] g = Floats.of(gradient);
            float st = (float) step;
            for (int i = 0; i < s.length; i++) s[i] -= st * g[i];
            return Floats.create(s, search.shape());
        }

        @Override public String toString() { return "StepRule.gradient()"; }
    }

    /** See {@link StepRule#adam(double, double, double)}. */
    record Adam(double beta1, double beta2, double eps) implements StepRule {
        public Adam {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new org.acejvm.core.InvalidInputException.Range("Adam betas: expected values in [0, 1), got "
                        + beta1 + ", " + beta2);
            }
            Checks.positive(eps, "eps");
        }

        @Override
        public Stepper start(long[] shape) {
            return new Stepper() {
                private INDArray m;
                private INDArray v;

                @Override
                public INDArray next(INDArray search, INDArray gradient, int iteration, double step) {
                    float[] s = Floats.of(search);
                    float[] g = Floats.of(gradient);
                    float[] mm = m == null ? new float[s.length] : Floats.of(m);
                    float[] vv = v == null ? new float[s.length] : Floats.of(v);
                    int t = iteration + 1;
                    double c1 = 1 - Math.pow(beta1, t);
                    double c2 = 1 - Math.pow(beta2, t);
                    for (int i = 0; i < s.length; i++) {
                        mm[i] = (float) (beta1 * mm[i] + (1 - beta1) * g[i]);
                        vv[i] = (float) (beta2 * vv[i] + (1 - beta2) * g[i] * g[i]);
                        double mh = mm[i] / c1;
                        double vh = vv[i] / c2;
                        s[i] -= (float) (step * mh / (Math.sqrt(vh) + eps));
                    }
                    m = Floats.create(mm, search.shape());
                    v = Floats.create(vv, search.shape());
                    return Floats.create(s, search.shape());
                }

                @Override
                public void retain(int[] rows) {
                    if (m != null) {
                        m = Floats.rows(m, rows);
                        v = Floats.rows(v, rows);
                    }
                }
            };
        }
    }
}
