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
    }

    /**
     * The Carlini-Wagner hinge {@code max(max_{c != t} z_c - z_t, -kappa)}. For a single logit z it is taken on the
     * signed logit as in the reference, {@code max(-2 s z, -kappa)} with {@code s = +1} for target 1 and -1 for
     * target 0 (the margin of the two-logit form [-z, z]). Summed over the batch.
     */
    record Hinge(double kappa) implements ClassLoss {
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

        @Override public boolean averaged() { return false; }
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
    }
}
