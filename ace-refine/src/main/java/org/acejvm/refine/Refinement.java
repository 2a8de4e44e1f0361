package org.acejvm.refine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a refiner made of a batch of pre-explanations.
 *
 * @param explanation the counterfactuals [N, C, H, W] in [0, 1]
 * @param keep        the refinement mask [N, 1, H, W] in {0, 1}, 1 = pixel kept from the original (for refiners that
 *                    do not use it, the mask ACE would have used, for display)
 * @param noisyStart  the noised pre-explanation a diffusion refinement started from, [N, C, H, W] in [0, 1], or null
 */
public record Refinement(INDArray explanation, INDArray keep, INDArray noisyStart) {}
