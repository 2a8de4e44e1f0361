package org.acejvm.attacks;

/**
 * One evaluation of an attack objective, before that iteration's step.
 *
 * @param iteration          0-based iteration
 * @param iterations         the configured number of iterations
 * @param sampleIds          the samples still being attacked
 * @param loss               the batch objective (class term plus weighted distance)
 * @param classLoss          each sample's class loss (before the targeted/untargeted sign and averaging)
 * @param targetProbability  each sample's target probability on the mapped image (untargeted: 1 - p(source))
 * @param distanceWeight     the distance schedule's weight at this iteration
 */
public record AttackIteration(int iteration, int iterations, long[] sampleIds, double loss, double[] classLoss,
                              double[] targetProbability, double distanceWeight) {}
