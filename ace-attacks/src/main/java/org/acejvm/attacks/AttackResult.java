package org.acejvm.attacks;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of an attack on a batch. Arrays are owned by the caller once returned.
 *
 * @param adversarial            the attacked images x' [N, C, H, W] in [0, 1] (the pre-explanations)
 * @param sources                the classifier's prediction on each original image
 * @param targets                each image's target class (untargeted: its source class)
 * @param targeted               whether the attack was targeted
 * @param initialProbabilities   classifier probabilities of the originals [N, K]
 * @param probabilities          classifier probabilities of x' (the classifier alone, no image map) [N, K]
 * @param reached                whether x' is classified as the target (untargeted: not as the source)
 * @param iterations             steps taken per image (fewer than configured when it stopped early)
 * @param nanos                  wall time of the attack on this batch
 * @param search                 the final search values [N, ...] that x' was decoded from (pixels: x' itself; C&amp;W:
 *                               w; latent attacks: the codes), so a change in the search space can be measured
 * @param start                  the search values the attack started from, same shape
 */
public record AttackResult(INDArray adversarial, int[] sources, int[] targets, boolean targeted,
                           INDArray initialProbabilities, INDArray probabilities, boolean[] reached, int[] iterations,
                           long nanos, INDArray search, INDArray start) {

    /** Share of images that reached their goal. */
    public double successRate() {
        int k = 0;
        for (boolean b : reached) if (b) k++;
        return reached.length == 0 ? 0 : k / (double) reached.length;
    }
}
