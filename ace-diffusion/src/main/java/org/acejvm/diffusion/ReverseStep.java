package org.acejvm.diffusion;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The ops of one reverse step from the UNet's outputs (guided-diffusion's {@code p_mean_variance} and
 * {@code p_sample}), defined once for the graph builders of {@link DiffusionModel} (coefficients as constants) and its
 * eager one-step graph (coefficients as placeholders); see {@link StepCoefficients} for the formulas.
 */
final class ReverseStep {
    private ReverseStep() {}

    /** Predicted x0 ({@code name_x0}), posterior mean ({@code name_mean}) and log variance ({@code name_logvar}). */
    static DiffusionModel.Posterior posterior(SameDiff sd, String name, SDVariable xt, DiffusionModel.ModelOutput out,
                                              StepCoefficients.Graph c, boolean clipDenoised) {
        SDVariable x0raw = xt.mul(c.sqrtRecipAlphaCumprod()).sub(out.eps().mul(c.sqrtRecipm1AlphaCumprod()));
        SDVariable x0 = clipDenoised ? sd.math.clipByValue(name + "_x0", x0raw, -1.0, 1.0) : sd.identity(name + "_x0", x0raw);
        SDVariable mean = x0.mul(c.meanCoefX0()).add(name + "_mean", xt.mul(c.meanCoefXt()));
        SDVariable logVar = out.v() != null
                ? out.v().mul(c.logVarianceHalfRange()).add(name + "_logvar", c.logVarianceCentre())
                : sd.identity(name + "_logvar", c.logVarianceCentre());
        return new DiffusionModel.Posterior(x0, mean, logVar);
    }

    /** {@code mean + exp(0.5 log var) noise} named {@code name}, or the mean if {@code noise} is null. */
    static SDVariable sample(SameDiff sd, String name, DiffusionModel.Posterior p, SDVariable noise, StepCoefficients.Graph c) {
        if (noise == null) return sd.identity(name, p.mean());
        SDVariable scaled = c.noiseScale() == null ? sd.math.exp(p.logVariance().mul(0.5)).mul(noise) : noise.mul(c.noiseScale());
        return p.mean().add(name, scaled);
    }
}
