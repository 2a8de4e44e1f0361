package org.acejvm.attacks;

import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;

/**
 * The latent-space counterfactual methods, each a configuration of the one {@link GradientAttack} loop over a
 * {@link LatentSpace} whose code is {@code (z, a)}: a generator code z of {@code codeShape - attributeSize} values
 * followed by an attribute block a of {@code attributeSize} values (0 for generators without one); the decoder reads
 * the concatenated vector.
 *
 * <ul>
 *   <li>{@link #aip}: AIP (Yang et al. 2021): gradient descent on z and a with their own steps mu and gamma, both
 *       multiplied by beta after every iteration; loss = cross-entropy towards the target + {@code alpha ||(z, a) -
 *       (z0, a0)||_2}; stops when the prediction is the target; at most {@code maxIterations}.</li>
 *   <li>{@link #xgems}: xGEMs, AIP without the attribute block (gamma = 0: a stays at a0).</li>
 *   <li>{@link #aipRandom}: AIP_R, the random baseline: steps of the same sizes in N(0, 1) directions.</li>
 *   <li>{@link #counterfactualAttack}: Counterfactual Attacks (Goldwasser and Hooker 2025): Adam on the code, loss =
 *       minus the target's probability, no distance term; proximity comes from stopping as soon as the target's
 *       probability reaches a threshold.</li>
 * </ul>
 * Start codes come from the {@link LatentSpace}'s {@link StartCodes} (the encoder's mean, or given codes).
 */
public final class LatentAttacks {
    private LatentAttacks() {}

    /**
     * AIP's settings.
     *
     * @param alpha         weight of the l2 distance to the start code
     * @param beta          factor applied to both steps after every iteration
     * @param maxIterations n_max
     * @param mu            step of the code z
     * @param gamma         step of the attribute block a
     */
    public record AipSettings(double alpha, double beta, int maxIterations, double mu, double gamma) {
        /** The paper's image settings: alpha 1.5, beta 0.9, n_max 500, mu 2, gamma 3. */
        public static final AipSettings PAPER = new AipSettings(1.5, 0.9, 500, 2.0, 3.0);

        public AipSettings {
            Checks.nonNegative(alpha, "alpha");
            if (!(beta > 0 && beta <= 1)) throw new InvalidInputException.Range("beta: expected a value in (0, 1], got " + beta);
            if (maxIterations < 1) throw new InvalidInputException.Range("maxIterations: expected at least 1, got " + maxIterations);
            Checks.nonNegative(mu, "mu");
            Checks.nonNegative(gamma, "gamma");
        }

        public AipSettings withMaxIterations(int n) { return new AipSettings(alpha, beta, n, mu, gamma); }
    }

    /** Counterfactual Attacks' defaults: Adam learning rate 0.05 (the paper uses 0.01-0.1), stop at p(target) 0.5, 500 steps. */
    public static final double CF_LEARNING_RATE = 0.05;
    public static final double CF_THRESHOLD = 0.5;
    public static final int CF_MAX_STEPS = 500;

    /** AIP with the paper's settings. */
    public static GradientAttack aip(LatentSpace space, int attributeSize) { return aip(space, attributeSize, AipSettings.PAPER); }

    public static GradientAttack aip(LatentSpace space, int attributeSize, AipSettings s) {
        return new GradientAttack("AIP", aipSettings(s), StepRule.scaledGradient(blockSteps(space, attributeSize, s.mu(), s.gamma())),
                space, new ClassLoss.CrossEntropy(), true);
    }

    /** xGEMs: AIP's search over z alone (the attribute block, if any, stays at its start). */
    public static GradientAttack xgems(LatentSpace space, int attributeSize, AipSettings s) {
        return new GradientAttack("xGEMs", aipSettings(s), StepRule.scaledGradient(blockSteps(space, attributeSize, s.mu(), 0)),
                space, new ClassLoss.CrossEntropy(), true);
    }

    /** AIP_R: AIP's blocks, steps, decay, stop and budget, with N(0, 1) directions instead of the gradient. */
    public static GradientAttack aipRandom(LatentSpace space, int attributeSize, AipSettings s, long seed) {
        return new GradientAttack("AIP_R", aipSettings(s),
                StepRule.randomDirection(blockSteps(space, attributeSize, s.mu(), s.gamma()), seed),
                space, new ClassLoss.CrossEntropy(), true);
    }

    /** Counterfactual Attacks with the defaults above. */
    public static GradientAttack counterfactualAttack(LatentSpace space) {
        return counterfactualAttack(space, CF_LEARNING_RATE, CF_THRESHOLD, CF_MAX_STEPS);
    }

    public static GradientAttack counterfactualAttack(LatentSpace space, double learningRate, double threshold, int maxSteps) {
        Checks.notNull(space, "space");
        AttackSettings settings = AttackSettings.builder().iterations(maxSteps).step(learningRate).lambda1(0)
                .stopRule(StopRule.probabilityAtLeast(threshold)).lossBatchSize(1).build();
        return new GradientAttack("Counterfactual Attack", settings, StepRule.adam(0.9, 0.999, 1e-8), space,
                new ClassLoss.TargetProbability(), false);
    }

    /** Per-sample loss summed (not averaged), unit step scaled per block, decayed by beta, stop at the target. */
    private static AttackSettings aipSettings(AipSettings s) {
        Checks.notNull(s, "settings");
        AttackSettings.Builder b = AttackSettings.builder().iterations(s.maxIterations()).step(1.0).lambda1(0)
                .stepSchedule(StepSchedule.geometric(s.beta())).stopRule(StopRule.targetReached(0)).lossBatchSize(1);
        if (s.alpha() > 0) b.penalties(Penalty.latentL2(s.alpha()));
        return b.build();
    }

    /** One step per coordinate of (z, a): mu for z, gamma for the last {@code attributeSize}. */
    static double[] blockSteps(LatentSpace space, int attributeSize, double mu, double gamma) {
        Checks.notNull(space, "space");
        long size = 1;
        for (long d : space.codeShape()) size *= d;
        if (attributeSize < 0 || attributeSize > size) {
            throw new InvalidInputException.Mismatch("attributeSize: expected 0 to " + size + " (the code's size), got " + attributeSize);
        }
        double[] steps = new double[(int) size];
        for (int i = 0; i < steps.length; i++) steps[i] = i < size - attributeSize ? mu : gamma;
        return steps;
    }
}
