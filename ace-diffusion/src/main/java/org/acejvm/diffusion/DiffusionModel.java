package org.acejvm.diffusion;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.acejvm.core.Checks;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.graph.DifferentiableGraph;
import org.acejvm.core.graph.GraphExecutor;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.core.onnx.OnnxModel;
import org.acejvm.core.graph.GraphEngine;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A denoising diffusion model: an epsilon-predicting UNet (a {@link GraphFunction}) together with its respaced
 * noise schedule and variance type, as guided-diffusion's {@code SpacedDiffusion} + {@code p_mean_variance}.
 *
 * <p>The UNet takes {@code x} in [-1, 1] ({@code [N, C, H, W]}, float32) and the timesteps ({@code [N]}, float32, the
 * ORIGINAL timestep of the respaced step, optionally rescaled to [0, 1000); or an integer type, see
 * {@link Builder#timestepType}), and returns either eps ({@code [N, C, H, W]}),
 * or for {@link Variance#LEARNED_RANGE} eps and v: two outputs, or one output with 2C channels (eps first).
 *
 * <p>Two kinds of methods:
 * <ul>
 *   <li>graph builders ({@link #qSample(SameDiff, String, SDVariable, int, SDVariable)}, {@link #pMeanVariance},
 *       {@link #pSample}): add differentiable ops for respaced step {@code k} to a caller's SameDiff (the diffusion
 *       filter chains S of them);</li>
 *   <li>eager forward-only helpers ({@link #step}, {@link #sample}, {@link #denoise}): run one ancestral step
 *       through a single one-step graph that is built once and reused for every k (the step's coefficients are
 *       placeholders).</li>
 * </ul>
 * Everything in graph space is in [-1, 1]; the eager {@link #sample} and {@link #denoise} take and return [0, 1]
 * images like every public boundary of the library.
 */
public final class DiffusionModel {
    private static final Logger log = LoggerFactory.getLogger(DiffusionModel.class);

    /** How the reverse-process variance is obtained. */
    public enum Variance {
        /** The UNet outputs v in [-1, 1]; log var = frac*log(beta) + (1-frac)*log(posterior var clipped), frac=(v+1)/2. */
        LEARNED_RANGE,
        /** The posterior variance (clipped log at step 0). */
        FIXED_SMALL,
        /** beta_k (with the posterior variance of step 1 at step 0). */
        FIXED_LARGE
    }

    /** Stream tags for the eager helpers' noise. */
    static final long SAMPLE_STREAM = 0x53414D504CL; // "SAMPL"
    static final long DENOISE_STREAM = 0x44454E4FL; // "DENO"

    private final GraphFunction unet;
    private final ImageSpec spec;
    private final SpacedSchedule spaced;
    private final NoiseSchedule sched;
    private final Variance variance;
    private final boolean clipDenoised;
    private final boolean rescaleTimesteps;
    private final DataType timestepType;
    private StepGraph stepGraph; // guarded by this
    private StepGraph stepGradientGraph; // guarded by this

    private DiffusionModel(Builder b) {
        this.unet = b.unet;
        this.spec = b.spec;
        this.spaced = b.schedule;
        this.sched = b.schedule.schedule();
        this.variance = b.variance;
        this.clipDenoised = b.clipDenoised;
        this.rescaleTimesteps = b.rescaleTimesteps;
        this.timestepType = b.timestepType;
    }

    /** Starts a model description; defaults: linear schedule with 1000 steps, no respacing, learned-range variance, clipping on. */
    public static Builder builder(GraphFunction unet, ImageSpec spec) { return new Builder(unet, spec); }

    /**
     * A diffusion model over a UNet imported from ONNX (inputs x in [-1, 1] and the timesteps; output eps, or eps and
     * the learned variance as {@code [N, 2C, H, W]}) with a linear schedule of {@code timesteps} steps respaced as
     * {@code respacing} (guided-diffusion form). The timestep type is the UNet's (integer or float).
     */
    public static DiffusionModel fromOnnx(OnnxModel unet, ImageSpec spec, int timesteps, String respacing) {
        Checks.notNull(unet, "unet");
        Checks.notNull(spec, "spec");
        if (unet.inputNames().size() != 2) {
            throw new ModelFormatException(unet + ": a diffusion UNet needs 2 inputs (x, timesteps), got " + unet.inputNames());
        }
        long[] out = unet.outputShape(unet.outputNames().get(0));
        boolean learned = out.length == 4 && out[1] == 2L * spec.channels();
        DataType t = unet.inputDataType(unet.inputNames().get(1));
        return builder(unet, spec)
                .schedule(NoiseSchedule.linear(timesteps), respacing)
                .variance(learned ? Variance.LEARNED_RANGE : Variance.FIXED_SMALL)
                .timestepType(t.isIntType() ? t : DataType.FLOAT)
                .build();
    }


    public static final class Builder {
        private final GraphFunction unet;
        private final ImageSpec spec;
        private SpacedSchedule schedule;
        private Variance variance = Variance.LEARNED_RANGE;
        private boolean clipDenoised = true;
        private boolean rescaleTimesteps;
        private DataType timestepType = DataType.FLOAT;

        private Builder(GraphFunction unet, ImageSpec spec) {
            Checks.notNull(unet, "unet");
            Checks.notNull(spec, "spec");
            this.unet = unet;
            this.spec = spec;
        }

        /** The (possibly respaced) schedule. */
        public Builder schedule(SpacedSchedule s) { Checks.notNull(s, "schedule"); this.schedule = s; return this; }

        /** The base schedule respaced with a guided-diffusion spacing string ("50", "10,10,10", "ddim25"; "" = all). */
        public Builder schedule(NoiseSchedule base, String respacing) { return schedule(SpacedSchedule.of(base, respacing)); }

        public Builder variance(Variance v) { Checks.notNull(v, "variance"); this.variance = v; return this; }

        /** Clip the predicted x0 to [-1, 1] (the reference does). */
        public Builder clipDenoised(boolean c) { this.clipDenoised = c; return this; }

        /** Feed the UNet {@code t * 1000 / T} instead of t (guided-diffusion's rescale_timesteps; off in the reference ACE models). */
        public Builder rescaleTimesteps(boolean r) { this.rescaleTimesteps = r; return this; }

        /**
         * The data type of the UNet's timestep input: FLOAT (default) or an integer type (INT64 for networks exported
         * with integer timesteps; the value is then the integer original timestep, so rescaling is not allowed).
         */
        public Builder timestepType(DataType t) {
            Checks.notNull(t, "timestepType");
            if (!t.isFPType() && !t.isIntType()) throw new InvalidInputException.DataType("timestepType: expected a float or integer type, got " + t);
            this.timestepType = t;
            return this;
        }

        public DiffusionModel build() {
            if (rescaleTimesteps && !timestepType.isFPType()) {
                throw new InvalidInputException("rescaled timesteps need a floating-point timestep input, got " + timestepType);
            }
            if (schedule == null) schedule = SpacedSchedule.of(NoiseSchedule.linear(1000), "");
            return new DiffusionModel(this);
        }
    }

    public ImageSpec imageSpec() { return spec; }
    public SpacedSchedule spacedSchedule() { return spaced; }
    /** The respaced schedule (index k = respaced step). */
    public NoiseSchedule schedule() { return sched; }
    public Variance variance() { return variance; }
    public boolean clipDenoised() { return clipDenoised; }
    public GraphFunction unet() { return unet; }
    public DataType timestepType() { return timestepType; }
    /** Number of respaced steps K. */
    public int numSteps() { return spaced.numSteps(); }

    /** The value the UNet receives as the timestep of respaced step k. */
    public double modelTimestepValue(int k) {
        int t = spaced.modelTimestep(k);
        return rescaleTimesteps ? t * (1000.0 / spaced.base().numTimesteps()) : t;
    }

    // ------------------------------------------------------------------------------------------------ graph builders

    /** A float32 vector of ones with the batch size of {@code like} ([N, ...] -> [N]); build once per graph call and reuse. */
    public static SDVariable batchOnes(SameDiff sd, String name, SDVariable like) {
        SDVariable n = sd.shape(name + "_shape", like).get(SDIndex.interval(0, 1));
        return sd.fill(name, n, DataType.FLOAT, 1.0);
    }

    /** {@code sqrt(abar_k) * x0 + sqrt(1 - abar_k) * noise}, x0 in [-1, 1]. */
    public SDVariable qSample(SameDiff sd, String name, SDVariable x0, int k, SDVariable noise) {
        return x0.mul(sched.sqrtAlphaCumprod(k)).add(name, noise.mul(sched.sqrtOneMinusAlphaCumprod(k)));
    }

    /** The UNet's outputs at respaced step k: eps and (learned range only) v. {@code ones} comes from {@link #batchOnes}. */
    public ModelOutput modelOutput(SameDiff sd, String name, SDVariable xt, int k, SDVariable ones) {
        SDVariable t = ones.mul(name + "_t", modelTimestepValue(k));
        if (timestepType != DataType.FLOAT) t = sd.castTo(name + "_t_cast", t, timestepType);
        return splitOutput(sd, name, unet.call(sd, name, xt, t));
    }

    private ModelOutput splitOutput(SameDiff sd, String name, SDVariable[] out) {
        int c = spec.channels();
        if (variance == Variance.LEARNED_RANGE) {
            if (out.length == 2) return new ModelOutput(out[0], out[1]);
            if (out.length != 1) throw new ModelFormatException("UNet returned " + out.length + " outputs, expected 1 (2C channels) or 2 (eps, v)");
            SDVariable eps = out[0].get(SDIndex.all(), SDIndex.interval(0, c), SDIndex.all(), SDIndex.all());
            SDVariable v = out[0].get(SDIndex.all(), SDIndex.interval(c, 2 * c), SDIndex.all(), SDIndex.all());
            return new ModelOutput(sd.identity(name + "_eps", eps), sd.identity(name + "_v", v));
        }
        if (out.length < 1) throw new ModelFormatException("UNet returned no output");
        return new ModelOutput(out[0], null);
    }

    /** The log variance of a fixed-variance model at step k. */
    public double fixedLogVariance(int k) {
        if (variance == Variance.LEARNED_RANGE) throw new IllegalStateException("learned-range variance depends on the UNet output");
        return StepCoefficients.of(sched, variance, k).logVarianceCentre();
    }

    /** One reverse-process evaluation at respaced step k: predicted x0, posterior mean and log variance. */
    public Posterior pMeanVariance(SameDiff sd, String name, SDVariable xt, int k, SDVariable ones) {
        return pMeanVariance(sd, name, xt, k, ones, coefficients(sd, name, k));
    }

    private Posterior pMeanVariance(SameDiff sd, String name, SDVariable xt, int k, SDVariable ones, StepCoefficients.Graph c) {
        ModelOutput out = modelOutput(sd, name + "_unet", xt, k, ones);
        return ReverseStep.posterior(sd, name, xt, out, c, clipDenoised);
    }

    /** One ancestral step from x_t at respaced step k: {@code mean + exp(0.5 log var) * noise}, or the mean if noise is null. */
    public SDVariable pSample(SameDiff sd, String name, SDVariable xt, int k, SDVariable noise, SDVariable ones) {
        StepCoefficients.Graph c = coefficients(sd, name, k);
        return ReverseStep.sample(sd, name, pMeanVariance(sd, name, xt, k, ones, c), noise, c);
    }

    private StepCoefficients.Graph coefficients(SameDiff sd, String name, int k) {
        return StepCoefficients.of(sched, variance, k).constants(sd, name);
    }

    /** The UNet outputs of one call. */
    public record ModelOutput(SDVariable eps, SDVariable v) {}

    /** Predicted x0, posterior mean and the log variance (for fixed variances a scalar). */
    public record Posterior(SDVariable x0, SDVariable mean, SDVariable logVariance) {}

    // ------------------------------------------------------------------------------------------------ eager helpers

    /** {@code sqrt(abar_k) x0 + sqrt(1 - abar_k) noise} in ND4J, x0 in [-1, 1]. */
    public INDArray qSample(INDArray x0, int k, INDArray noise) {
        checkSameShape(x0, noise, "x0", "noise");
        return x0.mul(sched.sqrtAlphaCumprod(k)).addi(noise.mul(sched.sqrtOneMinusAlphaCumprod(k)));
    }

    /**
     * One ancestral step in [-1, 1] space at respaced step k (forward only). With {@code noise == null} the step is
     * deterministic (the posterior mean).
     */
    public StepResult step(INDArray xt, int k, INDArray noise) {
        checkNoisyImage(xt, "x_t");
        if (noise != null) checkSameShape(xt, noise, "x_t", "noise");
        spaced.modelTimestep(k); // range check
        return stepGraph().run(xt, k, noise);
    }

    /** Result of one eager step: the new sample, the posterior mean, the predicted x0 and the log variance. */
    public record StepResult(INDArray sample, INDArray mean, INDArray x0, INDArray logVariance) {}

    /**
     * Ancestral sampling from pure noise through all K respaced steps (forward only; for inspection and diversity).
     * Returns images in [0, 1] (clamped). Noise: x_T from stream (SAMPLE, 0), step k's noise from (SAMPLE, 1 + k), k = K-1..1.
     */
    public INDArray sample(long[] sampleIds, NoiseSource noise) {
        Checks.notNull(sampleIds, "sampleIds");
        Checks.notNull(noise, "noise");
        if (sampleIds.length == 0) throw new InvalidInputException.Shape("sampleIds: expected at least one sample");
        long[] chw = {spec.channels(), spec.height(), spec.width()};
        INDArray z = noise.gaussian(sampleIds, NoiseSource.stream(SAMPLE_STREAM, 0), chw);
        long start = System.nanoTime();
        for (int k = numSteps() - 1; k >= 0; k--) {
            INDArray eps = k > 0 ? noise.gaussian(sampleIds, NoiseSource.stream(SAMPLE_STREAM, 1 + k), chw) : null;
            z = step(z, k, eps).sample();
        }
        log.debug("sampled {} images in {} steps, {} ms", sampleIds.length, numSteps(), (System.nanoTime() - start) / 1_000_000);
        return ImageRange.fromModelClamped(z);
    }

    /**
     * Noises [0, 1] images to respaced step {@code fromStep} and denoises them back to step 0: the filter F_tau
     * forward only, with S = fromStep + 1. Noise: the q_sample noise from stream (DENOISE, 0), step k's noise from
     * (DENOISE, 1 + k) (stochastic only). Returns [0, 1] images (clamped).
     */
    public INDArray denoise(INDArray images, int fromStep, long[] sampleIds, NoiseSource noise, boolean stochastic) {
        Checks.images(images, spec, "images");
        Checks.notNull(sampleIds, "sampleIds");
        Checks.notNull(noise, "noise");
        Checks.sameCount(images.size(0), "images", sampleIds.length, "sampleIds");
        spaced.modelTimestep(fromStep);
        long[] chw = {spec.channels(), spec.height(), spec.width()};
        INDArray z = qSample(ImageRange.toModel(images), fromStep,
                noise.gaussian(sampleIds, NoiseSource.stream(DENOISE_STREAM, 0), chw));
        for (int k = fromStep; k >= 0; k--) {
            INDArray eps = stochastic && k > 0 ? noise.gaussian(sampleIds, NoiseSource.stream(DENOISE_STREAM, 1 + k), chw) : null;
            z = step(z, k, eps).sample();
        }
        return ImageRange.fromModelClamped(z);
    }

    /** A noisy image x_t: [N, C, H, W] of this model's image shape, floating point. */
    private void checkNoisyImage(INDArray x, String name) {
        Checks.rank(x, 4, name);
        if (!spec.matches(x.shape())) {
            throw new InvalidInputException.Shape(name + ": expected shape " + spec + ", got " + Arrays.toString(x.shape()));
        }
        Checks.floating(x, name);
    }

    private static void checkSameShape(INDArray a, INDArray b, String na, String nb) {
        Checks.notNull(a, na);
        Checks.notNull(b, nb);
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new InvalidInputException.Shape(nb + ": expected the shape of " + na + " " + Arrays.toString(a.shape())
                    + ", got " + Arrays.toString(b.shape()));
        }
    }

    private synchronized StepGraph stepGraph() {
        if (stepGraph == null) stepGraph = new StepGraph(false);
        return stepGraph;
    }

    private synchronized StepGraph stepGradientGraph() {
        if (stepGradientGraph == null) stepGradientGraph = new StepGraph(true);
        return stepGradientGraph;
    }

    /**
     * One reverse step at respaced step k and its vector-Jacobian product: the step's sample and the gradient of
     * {@code sum(sample * upstream)} with respect to x_t, from one UNet forward and one backward pass ([-1, 1] space;
     * {@code noise == null}: the deterministic step). The building block of gradients through several steps that
     * recompute each step instead of keeping every step's intermediates alive: their memory is that of one step.
     */
    public StepGradient stepGradient(INDArray xt, int k, INDArray noise, INDArray upstream) {
        checkNoisyImage(xt, "x_t");
        if (noise != null) checkSameShape(xt, noise, "x_t", "noise");
        checkSameShape(xt, upstream, "x_t", "upstream");
        Checks.finite(upstream, "upstream");
        spaced.modelTimestep(k); // range check
        return stepGradientGraph().gradient(xt, k, noise, upstream);
    }

    /** Result of {@link #stepGradient}: the step's sample and the gradient with respect to x_t. */
    public record StepGradient(INDArray sample, INDArray gradient) {}

    /**
     * One reverse step for any k: the step's coefficients are scalar placeholders, so the graph is built once.
     * Forward only, or (differentiable) with x_t as the re-bound input variable and {@code sum(sample * upstream)}
     * as the loss.
     */
    private final class StepGraph {
        private final SameDiff sd = SameDiff.create();
        private final GraphExecutor executor = GraphEngine.current().executor(sd);
        private final DifferentiableGraph differentiable;
        private final String sample;
        private final String mean;
        private final String x0;
        private final String logVar;

        StepGraph(boolean withGradient) {
            long c = spec.channels(), h = spec.height(), w = spec.width();
            SDVariable x = withGradient ? DifferentiableGraph.inputVariable(sd, "x", spec)
                    : sd.placeHolder("x", DataType.FLOAT, -1, c, h, w);
            SDVariable t = sd.placeHolder("t", timestepType, -1);
            SDVariable noise = sd.placeHolder("noise", DataType.FLOAT, -1, c, h, w);
            StepCoefficients.Graph coefficients = StepCoefficients.Graph.placeholders(sd, variance);
            ModelOutput out = splitOutput(sd, "unet", unet.call(sd, "unet", x, t));
            Posterior p = ReverseStep.posterior(sd, "step", x, out, coefficients, clipDenoised);
            SDVariable sampleV = ReverseStep.sample(sd, "sample", p, noise, coefficients);
            this.sample = sampleV.name();
            this.mean = p.mean().name();
            this.x0 = p.x0().name();
            this.logVar = p.logVariance().name();
            if (withGradient) {
                SDVariable upstream = sd.placeHolder("upstream", DataType.FLOAT, -1, c, h, w);
                differentiable = new DifferentiableGraph(sd, x, sampleV.mul(upstream).sum("loss"));
            } else {
                differentiable = null;
            }
        }

        private Map<String, INDArray> feed(long n, int k) {
            Map<String, INDArray> feed = StepCoefficients.of(sched, variance, k).feed();
            feed.put("t", Nd4j.valueArrayOf(new long[] {n}, (float) modelTimestepValue(k)).castTo(timestepType));
            return feed;
        }

        StepResult run(INDArray xt, int k, INDArray noise) {
            Map<String, INDArray> feed = feed(xt.size(0), k);
            feed.put("x", xt);
            if (noise != null) feed.put("noise", noise);
            Map<String, INDArray> out = executor.forward(feed, noise != null ? List.of(sample, mean, x0, logVar) : List.of(mean, x0, logVar));
            INDArray meanA = out.get(mean);
            return new StepResult(noise != null ? out.get(sample) : meanA, meanA, out.get(x0), out.get(logVar));
        }

        StepGradient gradient(INDArray xt, int k, INDArray noise, INDArray upstream) {
            Map<String, INDArray> feed = feed(xt.size(0), k);
            // the deterministic step is the sample with zero noise: the same value, and no gradient through the variance
            feed.put("noise", noise != null ? noise : Nd4j.zeros(DataType.FLOAT, xt.shape()));
            feed.put("upstream", upstream.castTo(DataType.FLOAT));
            DifferentiableGraph.Result r = differentiable.forwardBackward(xt.castTo(DataType.FLOAT), feed, List.of(sample));
            return new StepGradient(r.output(sample), r.gradient());
        }
    }

    @Override public String toString() {
        return "DiffusionModel(" + spec + ", " + spaced + ", " + variance + (clipDenoised ? ", clip" : "") + ")";
    }
}
