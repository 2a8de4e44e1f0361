package org.acejvm.diffusion;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The numbers of reverse step k (guided-diffusion's {@code p_mean_variance}), computed in double from the respaced
 * schedule:
 * <pre>
 *   x0      = sqrtRecipAlphaCumprod x_t - sqrtRecipm1AlphaCumprod eps        (then clipped to [-1, 1] if the model clips)
 *   mean    = meanCoefX0 x0 + meanCoefXt x_t
 *   log var = logVarianceCentre + logVarianceHalfRange v                     (learned range)
 *           = logVarianceCentre, with the noise scale exp(0.5 log var)       (fixed variances)
 * </pre>
 * The learned range is {@code frac max + (1 - frac) min} with {@code frac = (v + 1) / 2}, rearranged into two ops.
 * Unused values are NaN.
 *
 * <p>A graph gets them as constants (a builder that unrolls known steps) or as scalar placeholders fed per call (one
 * graph for every k); {@link ReverseStep} computes the same ops from either.
 */
record StepCoefficients(double sqrtRecipAlphaCumprod, double sqrtRecipm1AlphaCumprod, double meanCoefX0, double meanCoefXt,
                        double logVarianceCentre, double logVarianceHalfRange, double noiseScale) {

    static StepCoefficients of(NoiseSchedule s, DiffusionModel.Variance variance, int k) {
        double centre, halfRange = Double.NaN, noiseScale = Double.NaN;
        switch (variance) {
            case LEARNED_RANGE -> {
                double minLog = s.posteriorLogVarianceClipped(k);
                double maxLog = Math.log(s.beta(k));
                centre = 0.5 * (maxLog + minLog);
                halfRange = 0.5 * (maxLog - minLog);
            }
            case FIXED_SMALL -> centre = s.posteriorLogVarianceClipped(k);
            case FIXED_LARGE -> centre = Math.log(s.fixedLargeVariance(k));
            default -> throw new IllegalArgumentException(variance.toString());
        }
        if (variance != DiffusionModel.Variance.LEARNED_RANGE) noiseScale = Math.exp(0.5 * centre);
        return new StepCoefficients(s.sqrtRecipAlphaCumprod(k), s.sqrtRecipm1AlphaCumprod(k), s.posteriorMeanCoef1(k),
                s.posteriorMeanCoef2(k), centre, halfRange, noiseScale);
    }

    boolean learnedRange() { return !Double.isNaN(logVarianceHalfRange); }

    private double[] values() {
        return new double[] {sqrtRecipAlphaCumprod, sqrtRecipm1AlphaCumprod, meanCoefX0, meanCoefXt, logVarianceCentre,
                logVarianceHalfRange, noiseScale};
    }

    /** The coefficients as float32 scalar constants named under {@code name}. */
    Graph constants(SameDiff sd, String name) {
        double[] v = values();
        SDVariable[] c = new SDVariable[v.length];
        for (int i = 0; i < v.length; i++) {
            if (!Double.isNaN(v[i])) c[i] = sd.constant(name + "_" + Graph.NAMES[i], Nd4j.scalar((float) v[i]));
        }
        return new Graph(c);
    }

    /** The values of {@link Graph#placeholders} for this step. */
    Map<String, INDArray> feed() {
        double[] v = values();
        Map<String, INDArray> feed = new HashMap<>();
        for (int i = 0; i < v.length; i++) if (!Double.isNaN(v[i])) feed.put(Graph.NAMES[i], Nd4j.scalar((float) v[i]));
        return feed;
    }

    /** The coefficients as graph values; those a variance type does not use are null. */
    record Graph(SDVariable sqrtRecipAlphaCumprod, SDVariable sqrtRecipm1AlphaCumprod, SDVariable meanCoefX0,
                 SDVariable meanCoefXt, SDVariable logVarianceCentre, SDVariable logVarianceHalfRange, SDVariable noiseScale) {
        private static final String[] NAMES = {"recip", "recipm1", "coef_x0", "coef_xt", "logvar_centre", "logvar_half_range",
                "noise_scale"};

        private Graph(SDVariable[] c) { this(c[0], c[1], c[2], c[3], c[4], c[5], c[6]); }

        /** Scalar float32 placeholders for the coefficients a model of this variance type uses, fed by {@link #feed()}. */
        static Graph placeholders(SameDiff sd, DiffusionModel.Variance variance) {
            boolean learned = variance == DiffusionModel.Variance.LEARNED_RANGE;
            SDVariable[] c = new SDVariable[NAMES.length];
            for (int i = 0; i < NAMES.length; i++) {
                boolean used = i < 5 || (i == 5 ? learned : !learned);
                if (used) c[i] = sd.placeHolder(NAMES[i], DataType.FLOAT);
            }
            return new Graph(c);
        }
    }
}
