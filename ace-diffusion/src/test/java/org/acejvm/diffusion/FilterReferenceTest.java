package org.acejvm.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.graph.GraphFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * F_tau against the independent PyTorch implementation (scripts/make_filter_reference.py) on the tiny eps model,
 * with the same noise supplied draw for draw: output within 1e-4 and input gradient within 1e-3, relative to the
 * largest magnitude.
 */
class FilterReferenceTest {
    private static final String DIR = "/diffusion/tiny";
    private static final ImageSpec SPEC = new ImageSpec(3, 16, 16);

    @ParameterizedTest
    @CsvSource({
            "learned_stochastic,     LEARNED_RANGE, linear, 500,  50,  5, true,  false",
            "learned_stochastic,     LEARNED_RANGE, linear, 500,  50,  5, true,  true",
            "learned_deterministic,  LEARNED_RANGE, linear, 500,  50,  5, false, false",
            "fixed_small_stochastic, FIXED_SMALL,   cosine, 1000, 25,  4, true,  false",
            "fixed_large_stochastic, FIXED_LARGE,   linear, 1000, 100, 5, true,  false"})
    void matchesPyTorch(String name, DiffusionModel.Variance variance, String schedule, int t, String spacing, int steps,
                        boolean stochastic, boolean twoOutputs) {
        boolean learned = variance == DiffusionModel.Variance.LEARNED_RANGE;
        GraphFunction unet = TinyEpsModel.load(DIR, learned ? 6 : 3, twoOutputs);
        DiffusionModel model = DiffusionModel.builder(unet, SPEC)
                .schedule(NoiseSchedule.named(schedule, t), spacing).variance(variance).build();
        DdpmFilter filter = DdpmFilter.of(model, steps, stochastic);

        INDArray images = TinyEpsModel.npy(DIR + "/images.npy");
        INDArray upstream = TinyEpsModel.npy(DIR + "/upstream.npy");
        INDArray noise = TinyEpsModel.npy(DIR + "/" + name + "/noise.npy");
        INDArray expectedOut = TinyEpsModel.npy(DIR + "/" + name + "/out.npy");
        INDArray expectedGrad = TinyEpsModel.npy(DIR + "/" + name + "/grad.npy");
        long[] ids = {0, 1};

        INDArray out = filter.filter(images, ids, 0, supplied(noise));
        assertThat(relErr(out, expectedOut)).as("forward-only output").isLessThan(1e-4);

        DdpmFilter.Gradient g = filter.gradient(images, upstream, ids, 0, supplied(noise));
        double outErr = relErr(g.output(), expectedOut);
        double gradErr = relErr(g.gradient(), expectedGrad);
        System.out.printf("%s (twoOutputs=%s): output rel err %.3e, gradient rel err %.3e%n", name, twoOutputs, outErr, gradErr);
        assertThat(outErr).as("output").isLessThan(1e-4);
        assertThat(gradErr).as("gradient").isLessThan(1e-3);
    }

    static NoiseSource supplied(INDArray stacked) {
        List<INDArray> draws = new ArrayList<>();
        for (long i = 0; i < stacked.size(0); i++) draws.add(stacked.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup());
        return NoiseSource.supplied(draws);
    }

    /** max |a - b| / max |b|. */
    static double relErr(INDArray got, INDArray expected) {
        assertThat(got.shape()).containsExactly(expected.shape());
        double diff = Transforms.abs(got.castTo(expected.dataType()).sub(expected)).maxNumber().doubleValue();
        return diff / Math.max(1e-30, Transforms.abs(expected).maxNumber().doubleValue());
    }
}
