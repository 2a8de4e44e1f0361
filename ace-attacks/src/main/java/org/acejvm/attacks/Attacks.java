package org.acejvm.attacks;

/**
 * The named attacks, each a configuration of {@link GradientAttack}. Settings default to the reference ACE values
 * ({@link AttackSettings#defaults()}); change them with {@code attack.withSettings(settings.toBuilder()...build())}
 * or the {@code settings} overloads.
 */
public final class Attacks {
    /** The reference C&amp;W shrink constant. */
    public static final double CW_SHRINK = 1e-5;
    /** The reference C&amp;W clamp of w. */
    public static final double CW_LIMIT = 3.0;

    private Attacks() {}

    /** PGD: {@code x' = clamp(project(x' - step * sign(grad)))}, cross-entropy loss. The ACE default. */
    public static GradientAttack pgd() { return pgd(AttackSettings.defaults()); }

    public static GradientAttack pgd(AttackSettings settings) { return pgd(settings, new ClassLoss.CrossEntropy()); }

    /** PGD with another class loss (for example {@link ClassLoss#margin}, the embedded Fashion-MNIST default's). */
    public static GradientAttack pgd(AttackSettings settings, ClassLoss classLoss) {
        return new GradientAttack("PGD", settings, StepRule.sign(), SearchSpace.pixels(), classLoss, false);
    }

    /** GD: PGD without the sign, {@code x' = clamp(project(x' - step * grad))}. */
    public static GradientAttack gd() { return gd(AttackSettings.defaults()); }

    public static GradientAttack gd(AttackSettings settings) { return gd(settings, new ClassLoss.CrossEntropy()); }

    /** GD with another class loss. */
    public static GradientAttack gd(AttackSettings settings, ClassLoss classLoss) {
        return new GradientAttack("GD", settings, StepRule.gradient(), SearchSpace.pixels(), classLoss, false);
    }

    /**
     * FGSM: one sign step of size epsilon from x (epsilon ball of the same radius), cross-entropy loss. The other
     * settings (distance weights) are the defaults.
     */
    public static GradientAttack fgsm(double epsilon) {
        AttackSettings s = AttackSettings.builder().iterations(1).step(epsilon).epsilon(epsilon).build();
        return new GradientAttack("FGSM", s, StepRule.sign(), SearchSpace.pixels(), new ClassLoss.CrossEntropy(), false);
    }

    /**
     * C&amp;W: tanh change of variables, hinge loss {@code max(max_{c != t} z_c - z_t, -kappa)}, fixed-step gradient
     * update of w clamped to [-3, 3], targeted only. The reference uses kappa = 0.
     */
    public static GradientAttack cw(double kappa) { return cw(kappa, AttackSettings.defaults()); }

    public static GradientAttack cw(double kappa, AttackSettings settings) {
        return new GradientAttack("C&W", settings, StepRule.gradient(), SearchSpace.tanh(CW_SHRINK, CW_LIMIT),
                new ClassLoss.Hinge(kappa), true);
    }

    /**
     * Adam on x' with learning rate {@code settings.step()} (betas 0.9, 0.999, eps 1e-8), projected and clamped like
     * PGD; cross-entropy loss.
     */
    public static GradientAttack adam(AttackSettings settings) {
        return new GradientAttack("Adam", settings, StepRule.adam(0.9, 0.999, 1e-8), SearchSpace.pixels(),
                new ClassLoss.CrossEntropy(), false);
    }
}
