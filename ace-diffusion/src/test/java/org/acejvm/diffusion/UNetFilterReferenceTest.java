package org.acejvm.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.acejvm.core.graph.ArenaMemory;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.graph.DifferentiableGraph;
import org.acejvm.core.onnx.OnnxModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * F_tau with the small guided-diffusion UNet (ONNX, translated by ace-core) against the independent PyTorch
 * implementation (scripts/make_filter_reference.py --model unet), fed the same noise: output within 1e-4 and input
 * gradient within 1e-3, relative to the largest magnitude.
 */
class UNetFilterReferenceTest {
    static final String DIR = "/diffusion/unet";
    static final ImageSpec SPEC = new ImageSpec(1, 32, 32);
    private static OnnxModel unet;

    static Path fixture() {
        try {
            return Path.of(UNetFilterReferenceTest.class.getResource(DIR + "/model.onnx").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void load() {
        unet = OnnxModel.load(fixture());
    }

    static DiffusionModel model(OnnxModel net) {
        return DiffusionModel.builder(net, SPEC).schedule(NoiseSchedule.linear(500), "50")
                .variance(DiffusionModel.Variance.LEARNED_RANGE).timestepType(net.inputDataType("timesteps")).build();
    }

    /** The translated UNet alone reproduces PyTorch (diagnoses translation errors before the filter test). */
    @Test
    void unetAloneMatchesPyTorch() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", org.nd4j.linalg.api.buffer.DataType.FLOAT, -1, 1, 32, 32);
        SDVariable t = sd.placeHolder("t", unet.inputDataType("timesteps"), -1);
        SDVariable out = sd.identity("out", unet.call(sd, "unet", x, t)[0]);
        ArenaMemory.resetFor(sd); // the default recycling manager gives wrong values at batch 2 (see ArenaMemory)
        INDArray got = sd.output(Map.of("x", TinyEpsModel.npy(DIR + "/unet_x.npy"),
                "t", TinyEpsModel.npy(DIR + "/unet_t.npy").castTo(unet.inputDataType("timesteps"))), "out").get("out");
        double err = FilterReferenceTest.relErr(got, TinyEpsModel.npy(DIR + "/unet_out.npy"));
        System.out.printf("small UNet alone: rel err %.3e%n", err);
        assertThat(err).isLessThan(1e-4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"learned_stochastic", "learned_deterministic"})
    void filterMatchesPyTorch(String name) {
        boolean stochastic = name.equals("learned_stochastic");
        DiffusionModel model = model(unet);
        DdpmFilter filter = DdpmFilter.ofFraction(model, 0.1, stochastic);
        assertThat(filter.steps()).isEqualTo(5);
        INDArray images = TinyEpsModel.npy(DIR + "/images.npy");
        INDArray upstream = TinyEpsModel.npy(DIR + "/upstream.npy");
        INDArray noise = TinyEpsModel.npy(DIR + "/" + name + "/noise.npy");
        INDArray expected = TinyEpsModel.npy(DIR + "/" + name + "/out.npy");
        long[] ids = {0, 1};
        DdpmFilter.Gradient g = filter.gradient(images, upstream, ids, 0, FilterReferenceTest.supplied(noise));
        double outErr = FilterReferenceTest.relErr(g.output(), expected);
        double gradErr = FilterReferenceTest.relErr(g.gradient(), TinyEpsModel.npy(DIR + "/" + name + "/grad.npy"));
        double fwdErr = FilterReferenceTest.relErr(filter.filter(images, ids, 0, FilterReferenceTest.supplied(noise)), expected);
        double eagerErr = FilterReferenceTest.relErr(model.denoise(images, 4, ids, FilterReferenceTest.supplied(noise), stochastic), expected);
        System.out.printf("small UNet F_tau %s: output rel err %.3e, gradient rel err %.3e; forward-only %.3e, eager steps %.3e%n",
                name, outErr, gradErr, fwdErr, eagerErr);
        assertThat(outErr).isLessThan(1e-4);
        assertThat(gradErr).isLessThan(1e-3);
        assertThat(fwdErr).isLessThan(1e-4);
        assertThat(eagerErr).isLessThan(1e-4);
    }

    /**
     * The per-step recomputed gradient (the memory mode for large UNets) against the same PyTorch reference, and
     * against the one-graph gradient of the same call.
     */
    @ParameterizedTest
    @ValueSource(strings = {"learned_stochastic", "learned_deterministic"})
    void recomputedGradientMatchesPyTorch(String name) {
        boolean stochastic = name.equals("learned_stochastic");
        DdpmFilter oneGraph = DdpmFilter.ofFraction(model(unet), 0.1, stochastic);
        DdpmFilter recompute = oneGraph.withGradientMode(DdpmFilter.GradientMode.RECOMPUTE_PER_STEP);
        assertThat(recompute.gradientMode()).isEqualTo(DdpmFilter.GradientMode.RECOMPUTE_PER_STEP);
        assertThat(recompute.toString()).contains("RECOMPUTE_PER_STEP");
        INDArray images = TinyEpsModel.npy(DIR + "/images.npy");
        INDArray upstream = TinyEpsModel.npy(DIR + "/upstream.npy");
        INDArray noise = TinyEpsModel.npy(DIR + "/" + name + "/noise.npy");
        long[] ids = {0, 1};
        DdpmFilter.Gradient r = recompute.gradient(images, upstream, ids, 0, FilterReferenceTest.supplied(noise));
        DdpmFilter.Gradient o = oneGraph.gradient(images, upstream, ids, 0, FilterReferenceTest.supplied(noise));
        double outErr = FilterReferenceTest.relErr(r.output(), TinyEpsModel.npy(DIR + "/" + name + "/out.npy"));
        double gradErr = FilterReferenceTest.relErr(r.gradient(), TinyEpsModel.npy(DIR + "/" + name + "/grad.npy"));
        double vsOneGraph = FilterReferenceTest.relErr(r.gradient(), o.gradient());
        System.out.printf("small UNet F_tau %s, recomputed per step: output rel err %.3e, gradient rel err %.3e, vs one graph %.3e%n",
                name, outErr, gradErr, vsOneGraph);
        assertThat(outErr).isLessThan(1e-4);
        assertThat(gradErr).isLessThan(1e-3);
        assertThat(vsOneGraph).isLessThan(1e-4);
        // the images and the upstream are the caller's: untouched
        assertThat(images).isEqualTo(TinyEpsModel.npy(DIR + "/images.npy"));
        assertThat(upstream).isEqualTo(TinyEpsModel.npy(DIR + "/upstream.npy"));
    }
}
