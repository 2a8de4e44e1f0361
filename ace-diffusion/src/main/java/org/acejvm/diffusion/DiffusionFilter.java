package org.acejvm.diffusion;

import java.util.Map;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.graph.ImageMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The diffusion filter F_tau of ACE as a differentiable piece of a SameDiff graph: [0, 1] images are noised to
 * respaced step S-1 and denoised back through S UNet calls with shared weights. Chained with a classifier and a loss,
 * one backward pass gives the gradient with respect to the input images.
 *
 * <p>Noise is fed through placeholders that {@link #apply} declares under {@code callName}; {@link #noiseFeed}
 * draws their values for one call (one attack iteration). Draw order per call (so that a reference implementation
 * can supply the same noise with {@link NoiseSource#supplied}): first the q_sample noise [N, C, H, W], then the step
 * noises for k = S-1 down to 1 (stochastic filters only).
 */
public interface DiffusionFilter extends ImageMap {
    ImageSpec imageSpec();

    /** S: the number of UNet calls. */
    int steps();

    /** Adds F_tau to sd: [0,1] images -> filtered [0,1] images; declares its noise placeholders under callName. */
    @Override
    SDVariable apply(SameDiff sd, String callName, SDVariable images);

    /** Values for the placeholders declared by apply(sd, callName, ...) for one call (one attack iteration). */
    @Override
    Map<String, INDArray> noiseFeed(String callName, long[] sampleIds, long callIndex, NoiseSource noise);
}
