package org.acejvm.diffusion;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.acejvm.core.Checks;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.graph.DifferentiableGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * F_tau as the reference ACE code computes it, as one differentiable SameDiff sub-graph:
 * <pre>
 *   z = sqrt(abar_{S-1}) (2x - 1) + sqrt(1 - abar_{S-1}) eps            (respaced step S-1)
 *   for k = S-1 .. 0:  z = posterior mean_k(z)  [+ exp(0.5 log var_k(z)) eps'_k  if k > 0 and stochastic]
 *   F_tau(x) = (z + 1) / 2
 * </pre>
 * with S UNet calls sharing one set of weights, x0 clipped to [-1, 1] (if the model clips) and the UNet called with the
 * original timesteps. The output is not clamped (with clipping on it lies in [0, 1] anyway: the last step returns the
 * clipped x0). The gradient flows through every UNet call, including the learned variance.
 *
 * <p>Noise streams: the q_sample noise of call {@code callIndex} is drawn from stream
 * {@code NoiseSource.stream(FILTER_STREAM, callIndex, 0)}, step k's noise from {@code stream(FILTER_STREAM, callIndex, k)},
 * in the order of the {@link DiffusionFilter} contract.
 */
public final class DdpmFilter implements DiffusionFilter {
    private static final Logger log = LoggerFactory.getLogger(DdpmFilter.class);

    /** Stream tag of the filter's noise. */
    public static final long FILTER_STREAM = 0x46494C544552L; // "FILTER"

    private static final String STANDALONE_INPUT = "images";
    private static final String STANDALONE_CALL = "ftau";
    private static final String UPSTREAM = "upstream";

    /** How the standalone {@link #gradient} differentiates through the S steps. */
    public enum GradientMode {
        /**
         * One graph of S UNet calls and one backward pass: the fastest; its memory grows with S, since every step's
         * intermediates stay alive until the backward pass.
         */
        ONE_GRAPH,
        /**
         * Step by step: the forward pass keeps only each step's input, the backward pass recomputes one step at a
         * time ({@link DiffusionModel#stepGradient}), so memory is that of one UNet forward and backward, for one
         * more UNet forward per step. For large UNets, e.g. the published CelebA 128 px model.
         */
        RECOMPUTE_PER_STEP
    }

    private final DiffusionModel model;
    private final int steps;
    private final boolean stochastic;
    private final GradientMode gradientMode;
    private DifferentiableGraph standalone; // guarded by this
    private String standaloneOutput;

    private DdpmFilter(DiffusionModel model, int steps, boolean stochastic, GradientMode gradientMode) {
        this.model = model;
        this.steps = steps;
        this.stochastic = stochastic;
        this.gradientMode = gradientMode;
    }

    /** A filter with S = {@code steps} respaced steps (1 &lt;= S &lt;= K). */
    public static DdpmFilter of(DiffusionModel model, int steps, boolean stochastic) {
        Checks.notNull(model, "model");
        if (steps < 1 || steps > model.numSteps()) {
            throw new InvalidInputException.Range("filter steps: expected a value in [1, " + model.numSteps() + "], got " + steps);
        }
        log.debug("F_tau with S={} of {} (original t = {}), stochastic={}", steps, model.spacedSchedule(),
                model.spacedSchedule().modelTimestep(steps - 1), stochastic);
        return new DdpmFilter(model, steps, stochastic, GradientMode.ONE_GRAPH);
    }

    /** This filter with another way of computing {@link #gradient} (the same values within float rounding). */
    public DdpmFilter withGradientMode(GradientMode mode) {
        Checks.notNull(mode, "mode");
        return mode == gradientMode ? this : new DdpmFilter(model, steps, stochastic, mode);
    }

    public GradientMode gradientMode() { return gradientMode; }

    /** The reference's S = int(fraction * K), e.g. T=500, respacing 50, fraction 0.1: S = 5. */
    public static DdpmFilter ofFraction(DiffusionModel model, double fraction, boolean stochastic) {
        Checks.notNull(model, "model");
        return of(model, model.spacedSchedule().stepsForFraction(fraction), stochastic);
    }

    public DiffusionModel model() { return model; }
    public boolean stochastic() { return stochastic; }
    @Override public ImageSpec imageSpec() { return model.imageSpec(); }
    @Override public int steps() { return steps; }

    /** Name of the q_sample noise placeholder of a call. */
    public static String qNoiseName(String callName) { return callName + "/q_noise"; }

    /** Name of step k's noise placeholder of a call. */
    public static String stepNoiseName(String callName, int k) { return callName + "/step_noise_" + k; }

    @Override
    public SDVariable apply(SameDiff sd, String callName, SDVariable images) {
        Checks.notNull(sd, "sd");
        Checks.notNull(callName, "callName");
        Checks.notNull(images, "images");
        if (sd.hasVariable(qNoiseName(callName))) {
            throw new InvalidInputException("callName '" + callName + "' is already used in this graph");
        }
        ImageSpec spec = imageSpec();
        long c = spec.channels(), h = spec.height(), w = spec.width();
        SDVariable ones = DiffusionModel.batchOnes(sd, callName + "/ones", images);
        SDVariable x = ImageRange.toModel(images);
        SDVariable qNoise = sd.placeHolder(qNoiseName(callName), DataType.FLOAT, -1, c, h, w);
        SDVariable z = model.qSample(sd, callName + "/z_start", x, steps - 1, qNoise);
        for (int k = steps - 1; k >= 0; k--) {
            SDVariable noise = stochastic && k > 0 ? sd.placeHolder(stepNoiseName(callName, k), DataType.FLOAT, -1, c, h, w) : null;
            z = model.pSample(sd, callName + "/step" + k, z, k, noise, ones);
        }
        return ImageRange.fromModel(callName + "/out", z);
    }

    @Override
    public Map<String, INDArray> noiseFeed(String callName, long[] sampleIds, long callIndex, NoiseSource noise) {
        Checks.notNull(callName, "callName");
        Checks.notNull(sampleIds, "sampleIds");
        Checks.notNull(noise, "noise");
        if (sampleIds.length == 0) throw new InvalidInputException.Shape("sampleIds: expected at least one sample");
        ImageSpec spec = imageSpec();
        long[] chw = {spec.channels(), spec.height(), spec.width()};
        Map<String, INDArray> feed = new LinkedHashMap<>();
        feed.put(qNoiseName(callName), noise.gaussian(sampleIds, NoiseSource.stream(FILTER_STREAM, callIndex, 0), chw));
        if (stochastic) {
            for (int k = steps - 1; k >= 1; k--) {
                feed.put(stepNoiseName(callName, k), noise.gaussian(sampleIds, NoiseSource.stream(FILTER_STREAM, callIndex, k), chw));
            }
        }
        return feed;
    }

    // ------------------------------------------------------------------------------------------ standalone use

    /** F_tau of [0, 1] images (forward only), with the noise of call {@code callIndex}. */
    public INDArray filter(INDArray images, long[] sampleIds, long callIndex, NoiseSource noise) {
        checkImages(images, sampleIds);
        DifferentiableGraph g = standalone();
        Map<String, INDArray> feed = noiseFeed(STANDALONE_CALL, sampleIds, callIndex, noise);
        return g.forward(images, feed, standaloneOutput).get(standaloneOutput);
    }

    /**
     * F_tau(images) and the gradient of {@code sum(F_tau(images) * upstream)} with respect to the images, from one
     * forward and one backward pass.
     */
    public Gradient gradient(INDArray images, INDArray upstream, long[] sampleIds, long callIndex, NoiseSource noise) {
        checkImages(images, sampleIds);
        Checks.notNull(upstream, "upstream");
        if (!java.util.Arrays.equals(upstream.shape(), images.shape())) {
            throw new InvalidInputException.Shape("upstream: expected the shape of the images " + java.util.Arrays.toString(images.shape())
                    + ", got " + java.util.Arrays.toString(upstream.shape()));
        }
        Checks.finite(upstream, "upstream");
        if (gradientMode == GradientMode.RECOMPUTE_PER_STEP) return recomputedGradient(images, upstream, sampleIds, callIndex, noise);
        DifferentiableGraph g = standalone();
        Map<String, INDArray> feed = new LinkedHashMap<>(noiseFeed(STANDALONE_CALL, sampleIds, callIndex, noise));
        feed.put(UPSTREAM, upstream.castTo(DataType.FLOAT));
        DifferentiableGraph.Result r = g.forwardBackward(images, feed, List.of(standaloneOutput));
        return new Gradient(r.output(standaloneOutput), r.gradient());
    }

    /**
     * {@link GradientMode#RECOMPUTE_PER_STEP}: the forward chain keeps each step's input z_k, then the chain rule runs
     * back from the output one step at a time: g <- J_k^T g by {@link DiffusionModel#stepGradient}; finally through
     * x -> sqrt(abar) (2x - 1) + ..., i.e. times 2 sqrt(abar_{S-1}). The same noise as the one-graph filter.
     */
    private Gradient recomputedGradient(INDArray images, INDArray upstream, long[] sampleIds, long callIndex, NoiseSource noise) {
        RecomputingPass pass = new RecomputingPass(images, noiseFeed(STANDALONE_CALL, sampleIds, callIndex, noise), STANDALONE_CALL);
        return new Gradient(pass.output(), pass.backward(upstream));
    }

    /**
     * With {@link GradientMode#RECOMPUTE_PER_STEP}: the filter differentiates itself step by step, so an attack runs
     * it eagerly beside its classifier graph instead of adding its S UNet calls to that graph.
     */
    @Override
    public Optional<SeparateGradient> separateGradient() {
        if (gradientMode != GradientMode.RECOMPUTE_PER_STEP) return Optional.empty();
        return Optional.of((images, feed, callName) -> {
            Checks.images(images, imageSpec(), "images");
            return new RecomputingPass(images, feed, callName);
        });
    }

    /** One forward pass that keeps each step's input; its backward recomputes one step at a time. */
    private final class RecomputingPass implements SeparateGradient.Pass {
        private final INDArray[] inputs = new INDArray[steps];
        private final INDArray[] stepNoise = new INDArray[steps];
        private final INDArray output;
        private boolean used;

        RecomputingPass(INDArray images, Map<String, INDArray> feed, String callName) {
            INDArray qNoise = feed.get(qNoiseName(callName));
            if (qNoise == null) throw new InvalidInputException("no q_sample noise '" + qNoiseName(callName) + "' in the feed " + feed.keySet());
            if (stochastic) {
                for (int k = steps - 1; k >= 1; k--) {
                    stepNoise[k] = feed.get(stepNoiseName(callName, k));
                    if (stepNoise[k] == null) throw new InvalidInputException("no step noise '" + stepNoiseName(callName, k) + "' in the feed");
                }
            }
            INDArray z = model.qSample(ImageRange.toModel(images.castTo(DataType.FLOAT)), steps - 1, qNoise);
            for (int k = steps - 1; k >= 0; k--) {
                inputs[k] = z;
                z = model.step(z, k, stepNoise[k]).sample();
            }
            output = ImageRange.fromModel(z);
        }

        @Override public INDArray output() { return output; }

        @Override
        public INDArray backward(INDArray upstream) {
            Checks.notNull(upstream, "upstream");
            if (used) throw new IllegalStateException("backward was already run for this pass");
            used = true;
            INDArray g = upstream.castTo(DataType.FLOAT).mul(0.5);
            for (int k = 0; k < steps; k++) {
                g = model.stepGradient(inputs[k], k, stepNoise[k], g).gradient();
                inputs[k] = null; // no longer needed
            }
            return g.muli(2.0 * model.schedule().sqrtAlphaCumprod(steps - 1));
        }
    }

    /** Output of a standalone pass and the input gradient. */
    public record Gradient(INDArray output, INDArray gradient) {}

    private void checkImages(INDArray images, long[] sampleIds) {
        Checks.images(images, imageSpec(), "images");
        Checks.notNull(sampleIds, "sampleIds");
        Checks.sameCount(images.size(0), "images", sampleIds.length, "sampleIds");
    }

    private synchronized DifferentiableGraph standalone() {
        if (standalone == null) {
            SameDiff sd = SameDiff.create();
            SDVariable x = DifferentiableGraph.inputVariable(sd, STANDALONE_INPUT, imageSpec());
            SDVariable out = apply(sd, STANDALONE_CALL, x);
            ImageSpec s = imageSpec();
            SDVariable up = sd.placeHolder(UPSTREAM, DataType.FLOAT, -1, s.channels(), s.height(), s.width());
            SDVariable loss = out.mul(up).sum("loss");
            standaloneOutput = out.name();
            standalone = new DifferentiableGraph(sd, x, loss);
        }
        return standalone;
    }

    @Override public String toString() {
        return "DdpmFilter(S=" + steps + ", " + (stochastic ? "stochastic" : "deterministic")
                + (gradientMode == GradientMode.ONE_GRAPH ? "" : ", " + gradientMode) + ", " + model + ")";
    }
}
