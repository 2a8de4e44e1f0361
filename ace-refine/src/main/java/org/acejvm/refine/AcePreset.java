package org.acejvm.refine;

import org.acejvm.core.ImageSpec;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.NoiseSchedule;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The published ACE settings (and the embedded Fashion-MNIST default): diffusion schedule, respacing, filter
 * fraction, attack iterations and mask threshold. All use PGD with step 1/255, epsilon 1, lambda1 0.001, dilation 15.
 *
 * @param timesteps  T of the linear schedule
 * @param respacing  respaced steps K
 * @param fraction   filter fraction; S = int(fraction * K)
 * @param iterations attack iterations
 * @param threshold  mask threshold
 */
public record AcePreset(String name, int timesteps, int respacing, double fraction, int iterations, double threshold) {
    /** CelebA 128 px: T=500, respacing 50, fraction 0.1 (S = 5). */
    public static final AcePreset CELEBA = new AcePreset("CelebA", 500, 50, 0.1, 50, 0.15);
    /** CelebA-HQ 256 px: T=500, respacing 25, fraction 0.2 (S = 5). */
    public static final AcePreset CELEBA_HQ = new AcePreset("CelebA-HQ", 500, 25, 0.2, 50, 0.15);
    /** BDD 256x512: T=1000, respacing 100, fraction 0.05 (S = 5), threshold 0.05. */
    public static final AcePreset BDD = new AcePreset("BDD", 1000, 100, 0.05, 50, 0.05);
    /** ImageNet 256 px: T=1000, respacing 25, fraction 0.2 (S = 5), 100 iterations. */
    public static final AcePreset IMAGENET = new AcePreset("ImageNet", 1000, 25, 0.2, 100, 0.15);
    /** The embedded Fashion-MNIST default (1x32x32): T=500, respacing 50, fraction 0.1 (S = 5: t = 0, 10, 20, 31, 41). */
    public static final AcePreset FASHION_MNIST = new AcePreset("Fashion-MNIST", 500, 50, 0.1, 50, 0.15);

    /** The mask settings of this preset (dilation 15). */
    public MaskSettings mask() { return new MaskSettings(MaskSettings.REFERENCE_DILATION, threshold); }

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
