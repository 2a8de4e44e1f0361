/**
 * Step 2 of ACE and the explainer that chains both steps.
 *
 * <ul>
 *   <li>{@link org.acejvm.refine.Masks}: the region to re-generate (normalised channel-sum difference, 15x15 max-pool
 *       dilation, threshold 0.15; an unchanged image keeps every pixel).</li>
 *   <li>{@link org.acejvm.refine.Refiner}: identity (Pre-CE), filter (FR-CE / F-CE), diffusion inpainting (ACE, with
 *       optional RePaint resampling).</li>
 *   <li>{@link org.acejvm.refine.Explainer}: classifier + optional filter + attack + refiner, batched, with
 *       {@link org.acejvm.refine.AcePreset published presets} and the {@link org.acejvm.refine.Ablation Table 5
 *       variants}; returns {@link org.acejvm.core.result.Explanation} records.</li>
 * </ul>
 *
 * <pre>
 *   DiffusionModel model = AcePreset.FASHION_MNIST.diffusionModel(OnnxModel.load(unetPath),
 *           new ImageSpec(1, 32, 32), DataType.INT64); // the shipped UNet takes integer timesteps
 *   Explainer ace = Explainer.builder(classifier).preset(AcePreset.FASHION_MNIST, model).seed(0).build();
 *   List&lt;Explanation&gt; out = ace.explain(images, Targets.of(3));
 * </pre>
 */
package org.acejvm.refine;
