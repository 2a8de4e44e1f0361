package org.acejvm.core.result;

import org.acejvm.core.InvalidInputException;

/**
 * One counterfactual explanation of one image (immutable; JSON-serialisable with {@link ExplanationJson}).
 *
 * @param sampleId       the image's identifier (its index in the explained batch or data set)
 * @param variant        which of several explanations of the same image this is (diversity runs; 0 for the first)
 * @param method         the configuration that produced it (for example "ACE", "Pre-CE", "FR-CE", "F-CE")
 * @param source         the class predicted for the original image
 * @param target         the class asked for, or -1 for an untargeted explanation
 * @param preExplanation the attacked image x' [C, H, W] in [0, 1]
 * @param explanation    the refined counterfactual [C, H, W] in [0, 1] (equal to the pre-explanation when no
 *                       refinement was configured)
 * @param mask           the region the refinement was allowed to change [1, H, W], 1 = changed region, 0 = kept
 *                       from the original
 * @param noisyStart     the noised pre-explanation the diffusion refinement started from [C, H, W], or null when the
 *                       refiner does not start from one
 * @param before         classifier scores of the original image
 * @param afterAttack    classifier scores of the pre-explanation (the classifier alone, no filter)
 * @param after          classifier scores of the explanation
 * @param attackSuccess  whether the pre-explanation is classified as the target (untargeted: not as the source)
 * @param success        whether the explanation is classified as the target (untargeted: not as the source)
 * @param iterations     attack iterations spent on this image
 * @param nanos          wall time of the batch this image was explained in, divided by the batch size
 */
public record Explanation(long sampleId, int variant, String method, int source, int target,
                          ImageData preExplanation, ImageData explanation, ImageData mask, ImageData noisyStart,
                          Scores before, Scores afterAttack, Scores after,
                          boolean attackSuccess, boolean success, int iterations, long nanos) {

    public Explanation {
        if (preExplanation == null || explanation == null || mask == null) {
            throw new InvalidInputException("preExplanation, explanation and mask must not be null");
        }
        if (before == null || afterAttack == null || after == null) {
            throw new InvalidInputException("scores must not be null");
        }
        if (method == null) method = "";
    }

    /** True for an untargeted explanation. */
    public boolean untargeted() { return target < 0; }
}
