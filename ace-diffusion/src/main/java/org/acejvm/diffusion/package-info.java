/**
 * Diffusion models for ACE: noise schedules and respacing ({@link org.acejvm.diffusion.NoiseSchedule},
 * {@link org.acejvm.diffusion.SpacedSchedule}: plain Java, double precision, no SameDiff, as diffusers keeps its
 * schedulers apart from its models), the DDPM reverse process around a UNet graph function
 * ({@link org.acejvm.diffusion.DiffusionModel}), the differentiable filter F_tau
 * ({@link org.acejvm.diffusion.DiffusionFilter}, {@link org.acejvm.diffusion.DdpmFilter}) and the inpainting
 * refinement ({@link org.acejvm.diffusion.Inpainter}).
 *
 * <p>Public boundaries take and return NCHW float32 images in [0, 1]; the diffusion works in [-1, 1] inside.
 * Every random draw comes from a {@link org.acejvm.core.NoiseSource}, per sample id and stream key, so results do
 * not depend on batch composition; {@link org.acejvm.core.NoiseSource#supplied} replays a reference implementation's
 * noise draw for draw.
 *
 * <p>Typical use (the reference CelebA setting: T=500, respacing 50, fraction 0.1, learned-range variance):
 * <pre>{@code
 * DiffusionModel model = DiffusionModel.builder(OnnxModel.load(path), new ImageSpec(3, 128, 128))
 *         .schedule(NoiseSchedule.linear(500), "50")
 *         .variance(DiffusionModel.Variance.LEARNED_RANGE)
 *         .build();
 * DiffusionFilter filter = DdpmFilter.ofFraction(model, 0.1, true);   // S = 5, original t = 0, 10, 20, 31, 41
 * SDVariable filtered = filter.apply(sd, "ftau", images);              // then a classifier and a loss on "filtered"
 * Map<String, INDArray> feed = filter.noiseFeed("ftau", sampleIds, iteration, noise);
 * }</pre>
 */
package org.acejvm.diffusion;
