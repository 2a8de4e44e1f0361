package org.acejvm.examples.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.acejvm.core.NoiseSource;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped Fashion-MNIST diffusion model through the library's sampler and denoiser (T = 500, respacing 50):
 * samples from pure noise are images (in range, not constant, far smoother than noise), and the denoising error
 * falls as the starting noise level falls; the translated UNet reproduces PyTorch's output on the reference tensors
 * that the export script wrote with the model.
 */
class ShippedDiffusionModelTest {
    private static final Logger LOG = LoggerFactory.getLogger(ShippedDiffusionModelTest.class);
    private static DiffusionModel model;

    @BeforeAll
    static void load() { model = EmbeddedDefault.diffusionModel(); }

    /** The shipped ONNX through the library's translator equals PyTorch's output (relative to the largest value). */
    @Test
    void translatedUNetMatchesPyTorchOnTheReferenceTensors() throws Exception {
        org.acejvm.core.onnx.OnnxModel unet = org.acejvm.core.onnx.OnnxModel.load(java.nio.file.Path.of(
                ShippedDiffusionModelTest.class.getResource(EmbeddedDefault.DIFFUSION_RESOURCE).toURI()));
        INDArray x = npy("x.npy");
        INDArray t = npy("timesteps.npy").castTo(unet.inputDataType("timesteps"));
        INDArray expected = npy("out.npy");
        org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.create();
        var xv = sd.placeHolder("x", org.nd4j.linalg.api.buffer.DataType.FLOAT, -1, 1, 32, 32);
        var tv = sd.placeHolder("t", unet.inputDataType("timesteps"), -1);
        var out = sd.identity("out", unet.call(sd, "unet", xv, tv)[0]);
        org.acejvm.core.graph.ArenaMemory.resetFor(sd);
        INDArray got = sd.output(java.util.Map.of("x", x, "t", t), "out").get("out");
        assertThat(got.shape()).containsExactly(expected.shape());
        double err = got.sub(expected).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
        LOG.info(String.format(Locale.ROOT, "shipped UNet vs PyTorch on 8 reference inputs: relative error %.2e", err));
        assertThat(err).isLessThan(1e-4);
    }

    private static INDArray npy(String name) throws Exception {
        return org.nd4j.linalg.factory.Nd4j.createFromNpyFile(
                new java.io.File(ShippedDiffusionModelTest.class.getResource("/fmnist-ddpm/" + name).toURI()));
    }

    @Test
    void samplesFromPureNoiseAreInRangeNotConstantAndSmootherThanNoise() {
        long[] ids = {0, 1, 2, 3};
        INDArray s = model.sample(ids, NoiseSource.seeded(11));
        assertThat(s.shape()).containsExactly(4, 1, 32, 32);
        assertThat(s.minNumber().doubleValue()).isGreaterThanOrEqualTo(0.0);
        assertThat(s.maxNumber().doubleValue()).isLessThanOrEqualTo(1.0);
        for (int i = 0; i < ids.length; i++) {
            INDArray img = s.get(NDArrayIndex.point(i));
            double std = img.stdNumber().doubleValue();
            double tv = totalVariation(img);
            INDArray noise = NoiseSource.seeded(99).gaussian(new long[] {i}, 0, new long[] {1, 32, 32}).mul(std);
            double noiseTv = totalVariation(noise);
            LOG.info(String.format(Locale.ROOT, "sample %d: mean %.3f std %.3f mean |grad| %.4f (noise of the same std: %.4f)",
                    i, img.meanNumber().doubleValue(), std, tv, noiseTv));
            assertThat(std).as("sample %d is not constant", i).isGreaterThan(0.05);
            assertThat(tv).as("sample %d is smoother than noise of its std", i).isLessThan(0.5 * noiseTv);
        }
        // same seed, same samples
        assertThat(model.sample(new long[] {2}, NoiseSource.seeded(11)))
                .isEqualTo(s.get(NDArrayIndex.interval(2, 3)).dup());
    }

    @Test
    void denoisingErrorFallsAsTheStartingNoiseLevelFalls() {
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST);
        int n = 8;
        int[] idx = new int[n];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) { idx[i] = i; ids[i] = i; }
        INDArray x = test.images(idx);
        int[] fromSteps = {20, 10, 4, 1}; // respaced indices: original t = 204, 102, 41, 10
        double previous = Double.POSITIVE_INFINITY;
        for (int k : fromSteps) {
            INDArray y = model.denoise(x, k, ids, NoiseSource.seeded(5), true);
            double mse = y.sub(x).norm2Number().doubleValue();
            mse = mse * mse / x.length();
            LOG.info(String.format(Locale.ROOT, "denoise from respaced step %d (t = %d): MSE %.5f", k,
                    model.spacedSchedule().modelTimestep(k), mse));
            assertThat(mse).as("MSE from step %d below the MSE from the previous, higher step", k).isLessThan(previous);
            previous = mse;
        }
        assertThat(previous).as("from t = 10 the images come back almost unchanged").isLessThan(0.01);
    }

    /** Mean absolute difference of horizontally and vertically adjacent pixels. */
    private static double totalVariation(INDArray img) {
        INDArray a = img.reshape(32, 32);
        double dx = a.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 32)).sub(a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 31)))
                .norm1Number().doubleValue();
        double dy = a.get(NDArrayIndex.interval(1, 32), NDArrayIndex.all()).sub(a.get(NDArrayIndex.interval(0, 31), NDArrayIndex.all()))
                .norm1Number().doubleValue();
        return (dx + dy) / (2.0 * 32 * 31);
    }
}
