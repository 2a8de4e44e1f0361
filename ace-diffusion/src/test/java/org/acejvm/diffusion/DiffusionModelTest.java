package org.acejvm.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class DiffusionModelTest {
    private static final ImageSpec GRAY = new ImageSpec(1, 16, 16);
    private static final double MU = 0.2, SIGMA = 0.3; // data distribution in [-1, 1] space

    private static DiffusionModel oracle(String spacing) {
        NoiseSchedule base = NoiseSchedule.linear(500);
        return DiffusionModel.builder(new GaussianOracleModel(base, MU, SIGMA), GRAY)
                .schedule(base, spacing).variance(DiffusionModel.Variance.FIXED_SMALL).build();
    }

    /** The eager one-step graph, chained by denoise(), reproduces the PyTorch F_tau (same noise, same draw order). */
    @Test
    void eagerDenoiseEqualsPyTorchFilter() {
        String dir = "/diffusion/tiny";
        DiffusionModel m = DiffusionModel.builder(TinyEpsModel.load(dir, 6, false), new ImageSpec(3, 16, 16))
                .schedule(NoiseSchedule.linear(500), "50").build();
        for (String c : new String[] {"learned_stochastic", "learned_deterministic"}) {
            INDArray out = m.denoise(TinyEpsModel.npy(dir + "/images.npy"), 4, new long[] {0, 1},
                    FilterReferenceTest.supplied(TinyEpsModel.npy(dir + "/" + c + "/noise.npy")), c.endsWith("stochastic") && !c.contains("deterministic"));
            double err = FilterReferenceTest.relErr(out, TinyEpsModel.npy(dir + "/" + c + "/out.npy"));
            System.out.printf("eager denoise vs PyTorch F_tau (%s): rel err %.3e%n", c, err);
            assertThat(err).isLessThan(1e-4);
        }
    }

    @Test
    void qSampleAndStepInClosedForm() {
        DiffusionModel m = oracle("50");
        NoiseSchedule s = m.schedule();
        INDArray x0 = Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16).muli(2).subi(1);
        INDArray n = NoiseSource.seeded(1).gaussian(new long[] {0, 1}, 0, 1, 16, 16);
        INDArray xt = m.qSample(x0, 4, n);
        INDArray expected = x0.mul(Math.sqrt(s.alphaCumprod(4))).add(n.mul(Math.sqrt(1 - s.alphaCumprod(4))));
        assertThat(FilterReferenceTest.relErr(xt, expected)).isLessThan(1e-6);
        // one step: x0 = clip(sqrt(1/ab) x - sqrt(1/ab - 1) eps), eps from the oracle formula at t = 41
        DiffusionModel.StepResult r = m.step(xt, 4, null);
        double ab = NoiseSchedule.linear(500).alphaCumprod(41);
        assertThat(s.alphaCumprod(4)).isCloseTo(ab, org.assertj.core.data.Offset.offset(1e-12));
        double a = Math.sqrt(1 - ab) / (ab * SIGMA * SIGMA + 1 - ab);
        INDArray eps = xt.mul(a).subi(Math.sqrt(ab) * MU * a);
        INDArray x0hat = Transforms.min(Transforms.max(xt.mul(Math.sqrt(1 / ab)).subi(eps.mul(Math.sqrt(1 / ab - 1))), -1.0), 1.0);
        assertThat(FilterReferenceTest.relErr(r.x0(), x0hat)).isLessThan(1e-5);
        INDArray mean = x0hat.mul(s.posteriorMeanCoef1(4)).addi(xt.mul(s.posteriorMeanCoef2(4)));
        assertThat(FilterReferenceTest.relErr(r.mean(), mean)).isLessThan(1e-5);
        assertThat(r.sample()).isEqualTo(r.mean());
        assertThat(r.logVariance().getDouble(0)).isCloseTo(s.posteriorLogVarianceClipped(4), org.assertj.core.data.Offset.offset(1e-5));
        INDArray noisy = m.step(xt, 4, n).sample();
        INDArray expectedNoisy = mean.add(n.mul(Math.exp(0.5 * s.posteriorLogVarianceClipped(4))));
        assertThat(FilterReferenceTest.relErr(noisy, expectedNoisy)).isLessThan(1e-5);
    }

    /** Denoising from a lower noise level reconstructs better (the oracle is the exact denoiser of its data). */
    @Test
    void reconstructionErrorFallsAsTFalls() {
        DiffusionModel m = oracle("50");
        long[] ids = {0, 1, 2, 3, 4, 5, 6, 7};
        // images drawn from the model's data distribution
        INDArray data = NoiseSource.seeded(99).gaussian(ids, 0, 1, 16, 16).muli(SIGMA).addi(MU);
        INDArray images = Transforms.min(Transforms.max(data.add(1).muli(0.5), 0.0), 1.0);
        int[] froms = {0, 2, 5, 10, 20};
        double prev = -1;
        StringBuilder line = new StringBuilder("denoise-from-k MSE:");
        for (int k : froms) {
            double mse = 0;
            for (int seed = 0; seed < 2; seed++) {
                INDArray out = m.denoise(images, k, ids, NoiseSource.seeded(seed), true);
                mse += Transforms.pow(out.sub(images), 2).meanNumber().doubleValue() / 2;
            }
            line.append(String.format(" k=%d (t=%d): %.5f", k, m.spacedSchedule().modelTimestep(k), mse));
            assertThat(mse).as("MSE from k=%d", k).isGreaterThan(prev);
            prev = mse;
        }
        System.out.println(line);
    }

    /**
     * With the exact eps of Gaussian data, the ancestral sampler's output std follows in closed form:
     * Var_s = (coef1 g + coef2)^2 Var_t + sigma_k^2 with g = sqrt(ab) s^2 / (ab s^2 + 1 - ab), starting from Var = 1.
     * Fixed-small variance under-disperses and fixed-large over-disperses with 20 respaced steps.
     */
    @Test
    void samplerReproducesTheDataDistributionAndIsSeeded() {
        long[] ids = {0, 1, 2, 3, 4, 5, 6, 7};
        NoiseSchedule base = NoiseSchedule.linear(500);
        for (DiffusionModel.Variance v : new DiffusionModel.Variance[] {DiffusionModel.Variance.FIXED_SMALL, DiffusionModel.Variance.FIXED_LARGE}) {
            DiffusionModel m = DiffusionModel.builder(new GaussianOracleModel(base, MU, SIGMA), GRAY)
                    .schedule(base, "20").variance(v).build();
            INDArray a = m.sample(ids, NoiseSource.seeded(5));
            assertThat(a.shape()).containsExactly(8, 1, 16, 16);
            assertThat(a.minNumber().doubleValue()).isGreaterThanOrEqualTo(0.0);
            assertThat(a.maxNumber().doubleValue()).isLessThanOrEqualTo(1.0);
            double mean = a.meanNumber().doubleValue();
            double std = a.stdNumber().doubleValue();
            double expectedStd = expectedSampleStd(m) / 2;
            System.out.printf("oracle samples (%s): mean %.4f (expected %.4f), std %.4f (expected %.4f; data %.4f)%n", v, mean,
                    (MU + 1) / 2, std, expectedStd, SIGMA / 2);
            assertThat(mean).isCloseTo((MU + 1) / 2, org.assertj.core.data.Offset.offset(0.01));
            assertThat(std).isCloseTo(expectedStd, org.assertj.core.data.Offset.offset(0.006));
        }
        DiffusionModel m = oracle("10");
        INDArray a = m.sample(new long[] {0, 1, 2, 3}, NoiseSource.seeded(5));
        assertThat(a).isEqualTo(m.sample(new long[] {0, 1, 2, 3}, NoiseSource.seeded(5)));
        INDArray c = m.sample(new long[] {0, 1, 2, 3}, NoiseSource.seeded(6));
        assertThat(Transforms.abs(a.sub(c)).maxNumber().doubleValue()).isGreaterThan(0.1);
        // per-sample noise: sample 2 alone equals row 2 of the batch
        INDArray single = m.sample(new long[] {2}, NoiseSource.seeded(5));
        assertThat(FilterReferenceTest.relErr(single, a.slice(2).reshape(1, 1, 16, 16))).isLessThan(1e-6);
    }

    private static double expectedSampleStd(DiffusionModel m) {
        NoiseSchedule s = m.schedule();
        double var = 1.0;
        for (int k = s.numTimesteps() - 1; k >= 0; k--) {
            double ab = s.alphaCumprod(k);
            double g = Math.sqrt(ab) * SIGMA * SIGMA / (ab * SIGMA * SIGMA + 1 - ab);
            double a = s.posteriorMeanCoef1(k) * g + s.posteriorMeanCoef2(k);
            var = a * a * var + (k > 0 ? Math.exp(m.fixedLogVariance(k)) : 0);
        }
        return Math.sqrt(var);
    }

    @Test
    void samplerWithTheTinyLearnedRangeModel() {
        DiffusionModel m = DiffusionModel.builder(TinyEpsModel.load("/diffusion/tiny", 6, false), new ImageSpec(3, 16, 16))
                .schedule(NoiseSchedule.linear(500), "10").build();
        INDArray a = m.sample(new long[] {0, 1}, NoiseSource.seeded(1));
        assertThat(a).isEqualTo(m.sample(new long[] {0, 1}, NoiseSource.seeded(1)));
        assertThat(a.stdNumber().doubleValue()).isGreaterThan(0.01);
        assertThat(a.minNumber().doubleValue()).isGreaterThanOrEqualTo(0.0);
        assertThat(a.maxNumber().doubleValue()).isLessThanOrEqualTo(1.0);
    }

    @Test
    void integerTimestepInput() {
        NoiseSchedule base = NoiseSchedule.linear(500);
        DiffusionModel f = oracle("50");
        DiffusionModel i = DiffusionModel.builder(new GaussianOracleModel(base, MU, SIGMA), GRAY).schedule(base, "50")
                .variance(DiffusionModel.Variance.FIXED_SMALL).timestepType(DataType.INT64).build();
        INDArray img = Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16);
        assertThat(i.denoise(img, 4, new long[] {0, 1}, NoiseSource.seeded(1), true))
                .isEqualTo(f.denoise(img, 4, new long[] {0, 1}, NoiseSource.seeded(1), true));
        DdpmFilter fi = DdpmFilter.of(i, 4, true);
        DdpmFilter ff = DdpmFilter.of(f, 4, true);
        INDArray up = Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16);
        DdpmFilter.Gradient gi = fi.gradient(img, up, new long[] {0, 1}, 0, NoiseSource.seeded(1));
        DdpmFilter.Gradient gf = ff.gradient(img, up, new long[] {0, 1}, 0, NoiseSource.seeded(1));
        assertThat(gi.output()).isEqualTo(gf.output());
        assertThat(gi.gradient()).isEqualTo(gf.gradient());
        assertThatThrownBy(() -> DiffusionModel.builder(new GaussianOracleModel(base, MU, SIGMA), GRAY)
                .timestepType(DataType.INT64).rescaleTimesteps(true).build()).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void badInputsFailWithTypedErrors() {
        DiffusionModel m = oracle("50");
        INDArray ok = Nd4j.rand(DataType.FLOAT, 1, 1, 16, 16);
        NoiseSource n = NoiseSource.seeded(0);
        assertThatThrownBy(() -> m.denoise(Nd4j.rand(DataType.FLOAT, 1, 3, 16, 16), 2, new long[] {0}, n, true))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("[N, 1, 16, 16]");
        assertThatThrownBy(() -> m.denoise(ok.castTo(DataType.DOUBLE), 2, new long[] {0}, n, true))
                .isInstanceOf(InvalidInputException.DataType.class);
        assertThatThrownBy(() -> m.denoise(ok, 50, new long[] {0}, n, true)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> m.denoise(ok, 3, new long[] {0, 1}, n, true)).isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> m.step(ok, 3, Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16))).isInstanceOf(InvalidInputException.Shape.class);
        assertThatThrownBy(() -> m.sample(new long[0], n)).isInstanceOf(InvalidInputException.Shape.class);
    }
}
