package org.acejvm.refine;

import org.acejvm.core.ImageSpec;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.NoiseSchedule;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A complete ACE setting: diffusion schedule, respacing, filter fraction, PGD iterations and step, mask dilation and
 * threshold, and where the inpainting refinement starts. The published settings use PGD with step 1/255, epsilon 1,
 * lambda1 0.001, dilation 15 and inpaint from the filter's S; a data set's own tuned setting (such as the embedded
 * Fashion-MNIST default of ace-examples) is one more preset, so that each setting is written down in one place.
 *
 * @param timesteps    T of the linear schedule
 * @param respacing    respaced steps K
 * @param fraction     filter fraction; S = int(fraction * K)
 * @param iterations   attack iterations
 * @param step         PGD step
 * @param dilation     mask dilation (max-pool size)
 * @param threshold    mask threshold
 * @param inpaintSteps respaced steps the inpainting starts from; 0: the filter's S, as the reference
 * @param filterSamples noise draws of the filter whose attack gradients each iteration averages; 1: the reference
 * @param classLoss    PGD's class term; cross-entropy in the reference
 */
public record AcePreset(String name, int timesteps, int respacing, double fraction, int iterations, double step,
                        int dilation, double threshold, int inpaintSteps, int filterSamples,
                        org.acejvm.attacks.ClassLoss classLoss) {

    /** A setting with the reference's cross-entropy. */
    public AcePreset(String name, int timesteps, int respacing, double fraction, int iterations, double step,
                     int dilation, double threshold, int inpaintSteps, int filterSamples) {
        this(name, timesteps, respacing, fraction, iterations, step, dilation, threshold, inpaintSteps, filterSamples,
                new org.acejvm.attacks.ClassLoss.CrossEntropy());
    }

    public AcePreset {
        org.acejvm.core.Checks.notNull(name, "name");
        org.acejvm.core.Checks.notNull(classLoss, "classLoss");
        if (timesteps < 1 || respacing < 1 || iterations < 1 || dilation < 1 || inpaintSteps < 0 || filterSamples < 1) {
            throw new org.acejvm.core.InvalidInputException.Range("preset " + name + ": expected timesteps, respacing, "
                    + "iterations, dilation, filterSamples >= 1 and inpaintSteps >= 0");
        }
        org.acejvm.core.Checks.positive(step, "step");
        org.acejvm.core.Checks.positive(fraction, "fraction");
    }

    /**
     * A published setting: the reference PGD step 1/255, dilation 15, inpainting from the filter's S, one filter draw
     * per attack iteration, cross-entropy.
     */
    public AcePreset(String name, int timesteps, int respacing, double fraction, int iterations, double threshold) {
        this(name, timesteps, respacing, fraction, iterations, org.acejvm.attacks.AttackSettings.REFERENCE_STEP,
                MaskSettings.REFERENCE_DILATION, threshold, 0, 1);
    }

    /** CelebA 128 px: T=500, respacing 50, fraction 0.1 (S = 5). */
    public static final AcePreset CELEBA = new AcePreset("CelebA", 500, 50, 0.1, 50, 0.15);
    /** CelebA-HQ 256 px: T=500, respacing 25, fraction 0.2 (S = 5). */
    public static final AcePreset CELEBA_HQ = new AcePreset("CelebA-HQ", 500, 25, 0.2, 50, 0.15);
    /** BDD 256x512: T=1000, respacing 100, fraction 0.05 (S = 5), threshold 0.05. */
    public static final AcePreset BDD = new AcePreset("BDD", 1000, 100, 0.05, 50, 0.05);
    /** ImageNet 256 px: T=1000, respacing 25, fraction 0.2 (S = 5), 100 iterations. */
    public static final AcePreset IMAGENET = new AcePreset("ImageNet", 1000, 25, 0.2, 100, 0.15);
    /**
     * The reference settings on a Fashion-MNIST schedule (1x32x32): T=500, respacing 50, fraction 0.1 (S = 5: t = 0,
     * 10, 20, 31, 41), step 1/255, dilation 15. Not the embedded default, which tunes step, dilation and inpainting
     * start for 32 px images and averages two filter draws per iteration (ace-examples' {@code EmbeddedDefault.PRESET}).
     */
    public static final AcePreset FASHION_MNIST = new AcePreset("Fashion-MNIST", 500, 50, 0.1, 50, 0.15);

    /** The mask settings of this preset. */
    public MaskSettings mask() { return new MaskSettings(dilation, threshold); }

    /** The inpainting start, or null for the filter's S. */
    public Integer inpaintingStart() { return inpaintSteps == 0 ? null : inpaintSteps; }

    /** The filter's number of steps S. */
    public int filterSteps() { return (int) (fraction * respacing); }

    /**
     * A diffusion model with this preset's schedule (linear over T, respaced to K) and learned-range variance around
     * {@code unet} (float timesteps; for other UNet conventions build the model yourself with
     * {@link DiffusionModel#builder}).
     */
    public DiffusionModel diffusionModel(GraphFunction unet, ImageSpec spec) {
        return diffusionModel(unet, spec, DataType.FLOAT);
    }

    /** The same with the UNet's timestep input type (INT64 for networks exported with integer timesteps). */
    public DiffusionModel diffusionModel(GraphFunction unet, ImageSpec spec, DataType timestepType) {
        return DiffusionModel.builder(unet, spec)
                .schedule(NoiseSchedule.linear(timesteps), Integer.toString(respacing))
                .variance(DiffusionModel.Variance.LEARNED_RANGE)
                .timestepType(timestepType)
                .build();
    }
}
