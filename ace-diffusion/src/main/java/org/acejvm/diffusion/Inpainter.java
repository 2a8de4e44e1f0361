package org.acejvm.diffusion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.acejvm.core.Checks;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The diffusion inpainting refinement of ACE (forward only): the pre-explanation is re-generated inside the region
 * to change while the kept pixels are pinned to the original at every noise level.
 *
 * <p>Reference behaviour (no resampling):
 * <pre>
 *   z = q_sample(2*pre - 1, S-1)
 *   for k = S-1 .. 0:
 *       z = z * (1 - keep) + keep * q_sample(2*x - 1, k, fresh noise)
 *       z = p_sample(z, k)                      (noise only when k > 0)
 *   result = clamp(((z * (1 - keep) + keep * (2*x - 1)) + 1) / 2, 0, 1)
 * </pre>
 * With {@link #withResampling(int, int)} RePaint's resampling is added: after stepping down to noise level j (j a
 * multiple of the jump length below S - jumpLength), the state is re-noised {@code jumpLength} levels up with the
 * forward transition {@code q(x_{s+1} | x_s)} and denoised again, so each such segment is traversed
 * {@code jumpCount} times (RePaint's jump_length / jump_n_sample schedule). jumpCount 1 is the reference.
 *
 * <p>The UNet runs through the model's one-step graph, built once and reused for every step.
 *
 * <p>Noise draw order (for {@link NoiseSource#supplied}): the start noise, then for every operation of {@link #plan()}
 * in order: a step down at k draws the known-region noise, then (k > 0) the step noise; a step up draws one noise.
 * Stream keys: {@code NoiseSource.stream(INPAINT_STREAM, op, kind)}, op = 0 for the start and 1 + the operation index.
 */
public final class Inpainter {
    private static final Logger log = LoggerFactory.getLogger(Inpainter.class);

    /** Stream tag of the inpainting noise. */
    public static final long INPAINT_STREAM = 0x494E5041494E54L; // "INPAINT"
    static final int KIND_START = 0, KIND_KNOWN = 1, KIND_STEP = 2, KIND_UP = 3;

    private final DiffusionModel model;
    private final int steps;
    private final int jumpLength;
    private final int jumpCount;
    private final List<Op> plan;

    /** One operation of the schedule: a reverse step at respaced index k, or a forward re-noising up to index k. */
    public record Op(boolean down, int k) {
        @Override public String toString() { return (down ? "down@" : "up->") + k; }
    }

    private Inpainter(DiffusionModel model, int steps, int jumpLength, int jumpCount) {
        this.model = model;
        this.steps = steps;
        this.jumpLength = jumpLength;
        this.jumpCount = jumpCount;
        this.plan = buildPlan(steps, jumpLength, jumpCount);
    }

    /** The reference refinement with S steps (1 &lt;= S &lt;= K). */
    public static Inpainter of(DiffusionModel model, int steps) {
        Checks.notNull(model, "model");
        if (steps < 1 || steps > model.numSteps()) {
            throw new InvalidInputException.Range("inpainting steps: expected a value in [1, " + model.numSteps() + "], got " + steps);
        }
        return new Inpainter(model, steps, 1, 1);
    }

    /** The reference refinement with S = int(fraction * K) steps (the same S as the filter). */
    public static Inpainter ofFraction(DiffusionModel model, double fraction) {
        Checks.notNull(model, "model");
        return of(model, model.spacedSchedule().stepsForFraction(fraction));
    }

    /** The same refinement (resampling included) started from {@code steps} respaced steps instead. */
    public Inpainter withSteps(int steps) {
        Inpainter fresh = of(model, steps);
        return jumpCount > 1 ? fresh.withResampling(jumpLength, jumpCount) : fresh;
    }

    /** The same refinement with RePaint resampling: jumps of {@code jumpLength} levels, each segment traversed {@code jumpCount} times. */
    public Inpainter withResampling(int jumpLength, int jumpCount) {
        if (jumpLength < 1) throw new InvalidInputException.Range("jumpLength: expected >= 1, got " + jumpLength);
        if (jumpCount < 1) throw new InvalidInputException.Range("jumpCount: expected >= 1, got " + jumpCount);
        if (jumpCount > 1 && jumpLength >= steps) {
            throw new InvalidInputException.Range("jumpLength: expected less than the " + steps + " steps, got " + jumpLength);
        }
        return new Inpainter(model, steps, jumpLength, jumpCount);
    }

    public DiffusionModel model() { return model; }
    public int steps() { return steps; }
    public int jumpLength() { return jumpLength; }
    public int jumpCount() { return jumpCount; }
    public ImageSpec imageSpec() { return model.imageSpec(); }

    /** The schedule of operations after the start (S steps down for the reference; more with resampling). */
    public List<Op> plan() { return plan; }

    /** RePaint's get_schedule_jump in terms of respaced noise levels (state index s; -1 = clean). */
    static List<Op> buildPlan(int steps, int jumpLength, int jumpCount) {
        Map<Integer, Integer> remaining = new HashMap<>();
        if (jumpCount > 1) {
            for (int j = 0; j < steps - jumpLength; j += jumpLength) remaining.put(j, jumpCount - 1);
        }
        List<Op> ops = new ArrayList<>();
        int s = steps - 1;
        while (s >= 0) {
            ops.add(new Op(true, s));
            s--;
            if (s >= 0 && remaining.getOrDefault(s, 0) > 0) {
                remaining.merge(s, -1, Integer::sum);
                for (int i = 0; i < jumpLength; i++) {
                    s++;
                    ops.add(new Op(false, s));
                }
            }
        }
        return List.copyOf(ops);
    }

    /**
     * Refines pre-explanations: re-generates the pixels where {@code keep} is 0 and pins those where it is 1 to the
     * original.
     *
     * @param original       [N, C, H, W] in [0, 1]
     * @param preExplanation [N, C, H, W] in [0, 1]
     * @param keep           [N, 1, H, W] (or [N, C, H, W]), 1 = keep the original pixel, 0 = take the re-generated one
     * @param sampleIds      one id per image (keys the noise)
     * @return the counterfactuals, [N, C, H, W] in [0, 1]
     */
    public INDArray inpaint(INDArray original, INDArray preExplanation, INDArray keep, long[] sampleIds, NoiseSource noise) {
        ImageSpec spec = imageSpec();
        Checks.images(original, spec, "original");
        Checks.images(preExplanation, spec, "preExplanation");
        Checks.sameCount(original.size(0), "original", preExplanation.size(0), "preExplanation");
        Checks.notNull(sampleIds, "sampleIds");
        Checks.sameCount(original.size(0), "original", sampleIds.length, "sampleIds");
        Checks.notNull(noise, "noise");
        INDArray keepFull = checkKeep(keep, original.shape());
        long start = System.nanoTime();

        long[] chw = {spec.channels(), spec.height(), spec.width()};
        INDArray x = ImageRange.toModel(original);
        INDArray drop = keepFull.rsub(1.0);
        INDArray z = model.qSample(ImageRange.toModel(preExplanation), steps - 1,
                noise.gaussian(sampleIds, NoiseSource.stream(INPAINT_STREAM, 0, KIND_START), chw));
        NoiseSchedule sched = model.schedule();
        for (int i = 0; i < plan.size(); i++) {
            Op op = plan.get(i);
            long opKey = 1L + i;
            int k = op.k();
            if (op.down()) {
                INDArray known = model.qSample(x, k, noise.gaussian(sampleIds, NoiseSource.stream(INPAINT_STREAM, opKey, KIND_KNOWN), chw));
                z = z.mul(drop).addi(known.muli(keepFull));
                INDArray eps = k > 0 ? noise.gaussian(sampleIds, NoiseSource.stream(INPAINT_STREAM, opKey, KIND_STEP), chw) : null;
                z = model.step(z, k, eps).sample();
            } else {
                double beta = sched.beta(k);
                INDArray eps = noise.gaussian(sampleIds, NoiseSource.stream(INPAINT_STREAM, opKey, KIND_UP), chw);
                z = z.mul(Math.sqrt(1.0 - beta)).addi(eps.muli(Math.sqrt(beta)));
            }
        }
        // composed in [0, 1], not [-1, 1] as the reference: where keep is 1 the output is then the original bit for
        // bit (the round trip through [-1, 1] was off by up to one float ulp, 1.5e-8)
        INDArray out = ImageRange.fromModelClamped(z).muli(drop).addi(original.mul(keepFull));
        log.debug("inpainted {} images: S={}, {} operations, {} ms", sampleIds.length, steps, plan.size(),
                (System.nanoTime() - start) / 1_000_000);
        return out;
    }

    private INDArray checkKeep(INDArray keep, long[] imageShape) {
        Checks.rank(keep, 4, "keep");
        Checks.floating(keep, "keep");
        long[] s = keep.shape();
        boolean ok = s[0] == imageShape[0] && s[2] == imageShape[2] && s[3] == imageShape[3]
                && (s[1] == 1 || s[1] == imageShape[1]);
        if (!ok) {
            throw new InvalidInputException.Shape("keep: expected shape [" + imageShape[0] + ", 1, " + imageShape[2] + ", "
                    + imageShape[3] + "] (or " + imageShape[1] + " channels), got " + Arrays.toString(s));
        }
        Checks.finite(keep, "keep");
        Checks.range(keep, 0.0, 1.0, "keep");
        return s[1] == imageShape[1] ? keep : keep.broadcast(imageShape);
    }

    @Override public String toString() {
        return "Inpainter(S=" + steps + (jumpCount > 1 ? ", jump " + jumpLength + " x " + jumpCount : "") + ", " + model + ")";
    }
}
