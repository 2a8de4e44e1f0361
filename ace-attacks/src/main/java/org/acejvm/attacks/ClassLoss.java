package org.acejvm.attacks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The classification term of an attack objective, per sample. Targeted attacks minimise it for the target class;
 * untargeted attacks maximise it for the source class.
 */
public sealed interface ClassLoss {

    /**
     * Adds the per-sample loss [N] to {@code sd}.
     *
     * @param logits      [N, K], or [N, 1] for a single-logit classifier
     * @param target      [N, K] one-hot rows, or [N, 1] holding 0 or 1 for a single-logit classifier
     * @param singleLogit whether the classifier has one logit
     */
    SDVariable perSample(SameDiff sd, SDVariable logits, SDVariable target, boolean singleLogit);

    /**
     * Whether the batch loss is the mean of the per-sample losses (cross-entropy, as the reference's
     * {@code CrossEntropyLoss} / {@code BCEWithLogitsLoss}) rather than their sum (the reference's C&amp;W losses).
     * Means are taken over a fixed nominal batch size, see {@link AttackSettings#lossBatchSize()}.
     */
    boolean averaged();

    /** The loss as text, read back by {@link #parse}: ce, logit, probability, margin:KAPPA or hinge:KAPPA. */
    String key();

    /**
     * The margin loss for PGD: the C&amp;W hinge {@code max(max_{c != t} z_c - z_t, -kappa)} averaged like
     * cross-entropy. Unlike cross-entropy it does not saturate once the target leads: it keeps raising the target's
     * logit above every other until it leads by {@code kappa} (then only the distance term acts), and unlike the
     * target's logit alone it also lowers the strongest rival, so the flip stays. On the embedded Fashion-MNIST
     * default it makes ACE's change read as the target to an independent classifier far more often (ace-examples'
     * EmbeddedDefault.CLASS_LOSS).
     */
    static ClassLoss margin(double kappa) { return new Hinge(kappa, true); }

    /**
     * The loss named {@code key}: {@code ce} (cross-entropy), {@code logit} (minus the target's logit),
     * {@code probability} (minus the target's probability), {@code margin:KAPPA} ({@link #margin}) or
     * {@code hinge:KAPPA} (the C&amp;W hinge, summed).
     */
    static ClassLoss parse(String key) {
        org.acejvm.core.Checks.notNull(key, "class loss");
        String k = key.trim().toLowerCase(java.util.Locale.ROOT);
        switch (k) {
            case "ce": return new CrossEntropy();
            case "logit": return new TargetLogit();
            case "probability": return new TargetProbability();
            default:
                boolean margin = k.startsWith("margin:");
                if (margin || k.startsWith("hinge:")) {
                    try {
                        return new Hinge(Double.parseDouble(k.substring(k.indexOf(':') + 1)), margin);
                    } catch (NumberFormatException e) {
                        // named below
                    }
                }
                throw new org.acejvm.core.InvalidInputException("class loss: expected ce, logit, probability, "
                        + "margin:KAPPA or hinge:KAPPA, got '" + key + "'");
        }
    }

    /**
     * Cross-entropy of the softmax for multiclass classifiers; binary cross-entropy with logits for single-logit
     * classifiers (written in the overflow-free form {@code relu(z) - z t + log(1 + exp(-|z|))}).
     */
    record CrossEntropy() implements ClassLoss {
        @Override
        public SDVariable perSample(SameDiff sd, SDVariable logits, SDVariable target, boolean singleLogit) {
            if (singleLogit) {
                SDVariable z = logits;
                SDVariable soft = sd.math.log(sd.math.exp(sd.math.abs(z).neg()).add(1.0));
                SDVariable bce = sd.nn.relu(z, 0.0).sub(z.mul(target)).add(soft);
                return bce.reshape(-1);
            }
            // log-softmax written out: SameDiff 1.0.0-M2.1's logSoftmax(x, dim) fails to set its dimension
            SDVariable shifted = logits.sub(logits.max(true, 1));
            SDVariable logp = shifted.sub(sd.math.log(sd.math.exp(shifted).sum(true, 1)));
            return logp.mul(target).sum(1).neg();
        }

        @Override public boolean averaged() { return true; }

        @Override public String key() { return "ce"; }
    }

    /**
     * The Carlini-Wagner hinge {@code max(max_{c != t} z_c - z_t, -kappa)}. For a single logit z it is taken on the
     * signed logit as in the reference, {@code max(-2 s z, -kappa)} with {@code s = +1} for target 1 and -1 for
     * target 0 (the margin of the two-logit form [-z, z]). Summed over the batch in C&amp;W ({@code Hinge(kappa)});
     * averaged like cross-entropy in {@link #margin(double)}, PGD's margin loss.
     *
     * @param averaged whether the batch loss is the mean (over the nominal batch) rather than the sum
     */
    record Hinge(double kappa, boolean averaged) implements ClassLoss {
        /** The C&amp;W hinge, summed over the batch. */
        public Hinge(double kappa) { this(kappa, false); }

        public Hinge {
            if (!(kappa >= 0) || !Double.isFinite(kappa)) {
                throw new org.acejvm.core.InvalidInputException.Range("kappa: expected a non-negative finite number, got "
                        + kappa);
            }
        }

        @Override
        public SDVariable perSample(SameDiff sd, SDVariable logits, SDVariable target, boolean singleLogit) {
            SDVariable margin;
            if (singleLogit) {
                SDVariable s = target.mul(2.0).sub(1.0);
                margin = logits.mul(s).mul(-2.0).reshape(-1);
            } else {
                SDVariable zt = logits.mul(target).sum(1);
                SDVariable others = logits.add(target.mul(-1e9)).max(1);
                margin = others.sub(zt);
            }
            return sd.nn.relu(margin.add(kappa), 0.0).sub(kappa);
        }

        @Override
        public String key() {
            boolean whole = kappa == Math.rint(kappa) && kappa < 1e15;
            String k = whole ? Long.toString((long) kappa) : Double.toString(kappa);
            return (averaged ? "margin:" : "hinge:") + k;
        }
    }

    /**
     * Minus the target's logit, {@code -z_t} (for a single logit {@code -s z} with {@code s = +1} for target 1 and -1
     * for target 0), averaged like cross-entropy. Unlike cross-entropy it does not saturate once the target leads: it
     * keeps pulling the image toward the target's evidence until the distance term balances it, the loss that
     * transfers targeted attacks well between independently trained classifiers (Zhao et al. 2021, "On Success and
     * Simplicity: A Second Look at Transferable Targeted Attacks"). It does not push rivals down, so a rival can
     * overtake the target; {@link #margin} does.
     */
    record TargetLogit() implements ClassLoss {
        @Override
        public SDVariable perSample(SameDiff sd, SDVariable logits, SDVariable target, boolean singleLogit) {
            if (singleLogit) return logits.mul(target.mul(2.0).sub(1.0)).reshape(-1).neg();
            return logits.mul(target).sum(1).neg();
        }

        @Override public boolean averaged() { return true; }

        @Override public String key() { return "logit"; }
    }

    /**
     * Minus the target's probability, {@code -softmax(z)_t} ({@code -sigmoid(z)} for target 1 of a single logit,
     * {@code -(1 - sigmoid(z))} for target 0): the Counterfactual Attacks loss, which raises the target's probability
     * directly and stops pushing once it saturates. Summed over the batch.
     */
    record TargetProbability() implements ClassLoss {
        @Override
        public SDVariable perSample(SameDiff sd, SDVariable logits, SDVariable target, boolean singleLogit) {
            if (singleLogit) {
                SDVariable p1 = sd.nn.sigmoid(logits);
                // t p + (1 - t)(1 - p) = 1 - t - p + 2 t p
                return target.neg().add(1.0).sub(p1).add(p1.mul(target).mul(2.0)).reshape(-1).neg();
            }
            SDVariable shifted = logits.sub(logits.max(true, 1));
            SDVariable e = sd.math.exp(shifted);
            return e.mul(target).sum(1).div(e.sum(1)).neg();
        }

        @Override public boolean averaged() { return false; }

        @Override public String key() { return "probability"; }
    }
}
