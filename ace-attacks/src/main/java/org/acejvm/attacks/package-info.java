/**
 * Attacks on differentiable classifiers, optionally seen through an image map (ACE's diffusion filter).
 *
 * <p>One loop ({@link org.acejvm.attacks.GradientAttack}) over one objective graph built once per classifier and map:
 * <pre>
 *   search s -&gt; x' -&gt; map(x') -&gt; classifier -&gt; class loss (+ penalties, e.g. lambda1 sum|x - x'| + lambda2 sum_b ||x_b - x'_b||)
 * </pre>
 * PGD, GD, FGSM, C&amp;W and Adam differ only in the {@link org.acejvm.attacks.StepRule}, the
 * {@link org.acejvm.attacks.SearchSpace} and the {@link org.acejvm.attacks.ClassLoss} ({@link org.acejvm.attacks.Attacks}).
 * Latent-space attacks search a generator's code ({@link org.acejvm.attacks.SearchSpace#latent}) in the same loop,
 * with a {@link org.acejvm.attacks.Penalty} on the code and, where wanted, a decaying
 * {@link org.acejvm.attacks.StepSchedule}. Defaults are the reference ACE code's
 * ({@link org.acejvm.attacks.AttackSettings#defaults()}).
 *
 * <pre>
 *   AttackSession s = Attacks.pgd().prepare(classifier, filter);
 *   AttackResult r = s.run(images, Targets.opposite(), sampleIds, NoiseSource.seeded(0), event -&gt; log(event));
 * </pre>
 *
 * <p>Per-sample independence: the class loss is averaged over a fixed nominal batch size
 * ({@link org.acejvm.attacks.AttackSettings#lossBatchSize()}, 16 as in the reference) rather than the batch actually
 * run, noise is drawn per sample id, and early-stopped samples leave the batch; so a sample's result does not depend
 * on how the data were split into batches.
 */
package org.acejvm.attacks;
