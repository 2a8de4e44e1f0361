package org.acejvm.refine.calibrate;

import org.acejvm.attacks.AttackSettings;
import org.acejvm.core.InvalidInputException;
import org.acejvm.refine.MaskSettings;

/**
 * What a {@link Calibration} tries and how much it spends: the candidate filter depths and the agreement they must
 * reach, the grid of distance weights and steps, how many images and iterations the grid runs, and the fixed parts of
 * the method it returns.
 *
 * @param fractions      candidate filter depths, as fractions of the respaced steps
 * @param agreement      the share of images whose class the filter alone must keep (C(F(x)) = C(x))
 * @param lambdas        candidate l1 distance weights
 * @param steps          candidate PGD steps
 * @param gridImages     how many of the held-out images (the first ones) each grid point explains
 * @param gridIterations attack iterations of a grid point (few, to keep the grid cheap)
 * @param iterations     attack iterations of the returned method
 * @param dilationShare  mask dilation as a share of the image side
 * @param maskThreshold  the mask threshold of the grid's refinements
 * @param maskThresholds candidate mask thresholds of the returned method ({@link MaskThreshold})
 * @param maxMaskArea    the largest mean mask area, as a share of the image, that {@link MaskThreshold} prefers
 * @param seed           seed of all noise
 * @param batchSize      images per batch (memory only)
 * @param name           the returned method's name
 * @param inpaintShallower the inpainting start is chosen from S down to half of S or S minus this, whichever is
 *                       lower ({@link InpaintingStart}; 0 keeps the reference's S)
 */
public record CalibrationPlan(double[] fractions, double agreement, double[] lambdas, double[] steps, int gridImages,
                              int gridIterations, int iterations, double dilationShare, double maskThreshold,
                              double[] maskThresholds, double maxMaskArea, long seed, int batchSize, String name,
                              int inpaintShallower) {

    public CalibrationPlan {
        fractions = fractions.clone();
        lambdas = lambdas.clone();
        steps = steps.clone();
        maskThresholds = maskThresholds.clone();
        if (maskThresholds.length == 0) throw new InvalidInputException("maskThresholds: expected at least one value");
        for (double t : maskThresholds) {
            if (!(t >= 0 && t < 1)) throw new InvalidInputException.Range("mask threshold: expected a value in [0, 1), got " + t);
        }
        if (!(maxMaskArea > 0 && maxMaskArea <= 1)) {
            throw new InvalidInputException.Range("maxMaskArea: expected a share of the image in (0, 1], got " + maxMaskArea);
        }
        if (fractions.length == 0 || lambdas.length == 0 || steps.length == 0) {
            throw new InvalidInputException("fractions, lambdas and steps: expected at least one value each");
        }
        for (double f : fractions) {
            if (!(f > 0 && f <= 1)) throw new InvalidInputException.Range("fraction: expected a value in (0, 1], got " + f);
        }
        if (!(agreement >= 0 && agreement <= 1)) {
            throw new InvalidInputException.Range("agreement: expected a value in [0, 1], got " + agreement);
        }
        if (gridImages < 1 || gridIterations < 1 || iterations < 1 || batchSize < 1) {
            throw new InvalidInputException.Range("gridImages, gridIterations, iterations and batchSize: expected at least 1");
        }
        if (name == null || name.isBlank()) throw new InvalidInputException("name: expected a non-empty name");
        if (inpaintShallower < 0) throw new InvalidInputException.Range("inpaintShallower: expected at least 0, got " + inpaintShallower);
    }

    @Override public double[] fractions() { return fractions.clone(); }
    @Override public double[] lambdas() { return lambdas.clone(); }
    @Override public double[] steps() { return steps.clone(); }
    @Override public double[] maskThresholds() { return maskThresholds.clone(); }

    /**
     * The ACE authors' advice for one's own models: fractions 0.05 to 0.4, agreement 0.95, l1 weights 1 to 0.001
     * and 0, steps 1, 2 and 4 / 255; the grid on 8 images with 20 iterations; the inpainting start from S down to S - 2 or half of S;
     * mask thresholds 0.15 (the reference's), 0.25, 0.35 and 0.5, preferring masks of at most 35% of the image;
     * the returned method runs the reference's 50 iterations.
     */
    public static CalibrationPlan defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    /** Builder for {@link CalibrationPlan}, starting from {@link #defaults()}. */
    public static final class Builder {
        private double[] fractions = {0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4};
        private double agreement = 0.95;
        private double[] lambdas = {1, 0.1, 0.01, 0.001, 0};
        private double[] steps = {1.0 / 255, 2.0 / 255, 4.0 / 255};
        private int gridImages = 8;
        private int gridIterations = 20;
        private int iterations = AttackSettings.REFERENCE_ITERATIONS;
        private double dilationShare = MaskDilation.SHARE_OF_SIDE;
        private double maskThreshold = MaskSettings.REFERENCE_THRESHOLD;
        private double[] maskThresholds = {MaskSettings.REFERENCE_THRESHOLD, 0.25, 0.35, 0.5};
        private double maxMaskArea = MaskThreshold.DEFAULT_MAX_AREA;
        private long seed;
        private int batchSize = 8;
        private String name = "calibrated";
        private int inpaintShallower = 2;

        private Builder() {}

        public Builder fractions(double... v) { fractions = v; return this; }
        public Builder agreement(double v) { agreement = v; return this; }
        public Builder lambdas(double... v) { lambdas = v; return this; }
        public Builder steps(double... v) { steps = v; return this; }
        public Builder gridImages(int v) { gridImages = v; return this; }
        public Builder gridIterations(int v) { gridIterations = v; return this; }
        public Builder iterations(int v) { iterations = v; return this; }
        public Builder dilationShare(double v) { dilationShare = v; return this; }
        public Builder maskThreshold(double v) { maskThreshold = v; return this; }
        public Builder maskThresholds(double... v) { maskThresholds = v; return this; }
        public Builder maxMaskArea(double v) { maxMaskArea = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder inpaintShallower(int v) { inpaintShallower = v; return this; }

        public CalibrationPlan build() {
            return new CalibrationPlan(fractions, agreement, lambdas, steps, gridImages, gridIterations, iterations,
                    dilationShare, maskThreshold, maskThresholds, maxMaskArea, seed, batchSize, name, inpaintShallower);
        }
    }
}
