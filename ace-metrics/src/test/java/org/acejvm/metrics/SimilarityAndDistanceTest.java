package org.acejvm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** FS/FVA/S3, LPIPS, sigma_L, pixel distances and LPR on hand-computed inputs. */
class SimilarityAndDistanceTest {

    private static INDArray img(float... v) {
        // 2 channels x 1 x 2 pixels per image
        return Nd4j.create(v, new long[] {v.length / 4, 2, 1, 2}, 'c');
    }

    @Test
    void cosineSimilarityPresets() {
        FeatureExtractor identity = FeatureExtractor.of("pixels", x -> x.dup());
        CosineSimilarity fs = CosineSimilarity.faceVerification(identity);
        // pair 0: (1,0,0,0) vs (1,1,0,0) -> 1/sqrt(2) = .707 > .5; pair 1: (1,0,0,0) vs (0,1,0,0) -> 0
        double[] cos = fs.add(img(1, 0, 0, 0, 1, 0, 0, 0), img(1, 1, 0, 0, 0, 1, 0, 0));
        assertThat(cos).containsExactly(new double[] {1 / Math.sqrt(2), 0}, within(1e-12));
        assertThat(fs.mean().value()).isCloseTo(0.5 / Math.sqrt(2), within(1e-12));
        assertThat(fs.shareAbove().value()).isEqualTo(0.5);
        assertThat(fs.meanName()).isEqualTo("FS");
        assertThat(fs.shareName()).isEqualTo("FVA");

        CosineSimilarity s3 = CosineSimilarity.simSiam(identity);
        assertThat(s3.meanName()).isEqualTo("S3");
        assertThat(s3.shareName()).isNull();
        assertThat(s3.mean().isDefined()).isFalse();
        // a zero embedding gives cosine 0, not NaN
        assertThat(s3.addEmbeddings(Nd4j.zeros(1, 3), Nd4j.ones(1, 3))).containsExactly(0.0);
        assertThatThrownBy(() -> s3.addEmbeddings(Nd4j.zeros(2, 3), Nd4j.ones(1, 3)))
                .isInstanceOf(InvalidInputException.Mismatch.class);
    }

    /** Two layers: the image itself (2 channels, 1x2), and [mean c0, mean c1, 0.5] as a 3-channel 1x1 map. */
    private static final FeatureMapExtractor TWO_LAYERS = FeatureMapExtractor.of(x -> {
        INDArray means = x.mean(2, 3); // [N, 2]
        INDArray third = Nd4j.valueArrayOf(new long[] {x.size(0), 1}, 0.5, x.dataType());
        return List.of(x.dup(), Nd4j.hstack(means, third).reshape(x.size(0), 3, 1, 1));
    });

    @Test
    void lpipsUnweightedAndWeighted() {
        // x0: pixel 0 = (0.3, 0.4) -> unit (0.6, 0.8); pixel 1 = (0.1, 0) -> (1, 0)
        // x1: pixel 0 = (0, 0.2)   -> (0, 1);       pixel 1 = (0, 0)   -> (0, 0)
        INDArray x0 = img(0.3f, 0.1f, 0.4f, 0f);
        INDArray x1 = img(0f, 0f, 0.2f, 0f);
        FeatureMapExtractor identity = FeatureMapExtractor.of(x -> List.of(x.dup()));
        // squared differences summed over channels: pixel 0: .36 + .04 = .4; pixel 1: 1 -> spatial mean .7
        assertThat(new Lpips(identity).distance(x0, x1)[0]).isCloseTo(0.7, within(1e-7));
        // weights [0.5, 2]: pixel 0: .18 + .08 = .26; pixel 1: .5 -> .38
        LpipsWeights w0 = LpipsWeights.load(Fixtures.file("lpips_w0").toPath());
        assertThat(new Lpips(identity, w0).distance(x0, x1)[0]).isCloseTo(0.38, within(1e-7));
        assertThat(new Lpips(identity).distance(x0, x0)[0]).isEqualTo(0.0);

        // second layer: x0 -> (0.2, 0.2, 0.5), x1 -> (0, 0.1, 0.5), weights [1, 0, 0.25]
        LpipsWeights both = LpipsWeights.load(Fixtures.file("lpips_w0").toPath(), Fixtures.file("lpips_w1").toPath());
        double n0 = Math.sqrt(0.04 + 0.04 + 0.25), n1 = Math.sqrt(0.01 + 0.25);
        double layer2 = Math.pow(0.2 / n0 - 0, 2) * 1 + Math.pow(0.2 / n0 - 0.1 / n1, 2) * 0 + Math.pow(0.5 / n0 - 0.5 / n1, 2) * 0.25;
        assertThat(new Lpips(TWO_LAYERS, both).distance(x0, x1)[0]).isCloseTo(0.38 + layer2, within(1e-7));
    }

    @Test
    void lpipsWeightsAreChecked() {
        assertThatThrownBy(() -> LpipsWeights.load(Fixtures.file("lpips_negative").toPath()))
                .isInstanceOf(InvalidInputException.Range.class).hasMessageContaining(">= 0");
        FeatureMapExtractor identity = FeatureMapExtractor.of(x -> List.of(x.dup()));
        Lpips wrongChannels = new Lpips(identity, LpipsWeights.of(new double[] {1, 1, 1}));
        assertThatThrownBy(() -> wrongChannels.distance(img(0, 0, 0, 0), img(0, 0, 0, 0)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("3 weights");
        Lpips wrongLayers = new Lpips(identity, LpipsWeights.of(new double[] {1, 1}, new double[] {1}));
        assertThatThrownBy(() -> wrongLayers.distance(img(0, 0, 0, 0), img(0, 0, 0, 0)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("layers");
        assertThatThrownBy(() -> LpipsWeights.load(java.nio.file.Path.of("/nonexistent.npy")))
                .isInstanceOf(ModelFormatException.class);
    }

    @Test
    void diversityIsTheMeanPairwiseDistance() {
        Lpips lpips = new Lpips(TWO_LAYERS, null);
        INDArray variants = Nd4j.rand(DataType.FLOAT, 4, 2, 1, 2);
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = i + 1; j < 4; j++) {
                sum += lpips.distance(variants.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)),
                        variants.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(j, j + 1)))[0];
            }
        }
        LpipsDiversity sigma = new LpipsDiversity(lpips);
        assertThat(sigma.value().isDefined()).isFalse();
        assertThat(sigma.add(variants).value()).isCloseTo(sum / 6, within(1e-9));
        assertThat(sigma.add(variants.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1))).isDefined()).isFalse();
        INDArray same = Nd4j.valueArrayOf(new long[] {3, 2, 1, 2}, 0.3f);
        assertThat(sigma.add(same).value()).isEqualTo(0.0);
        assertThat(sigma.value().value()).isCloseTo(sum / 12, within(1e-9));
        assertThat(sigma.value().count()).isEqualTo(2);
        assertThat(sigma.skipped()).isEqualTo(1);
    }

    @Test
    void pixelDistances() {
        INDArray a = img(0, 0, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f);
        INDArray b = img(0.1f, 0.2f, 0f, 0.2f, 0.5f, 0.5f, 0.5f, 0.5f);
        ImageDistances d = new ImageDistances();
        Map<ImageDistances.Norm, double[]> v = d.add(a, b);
        assertThat(v.get(ImageDistances.Norm.L1_SUM)[0]).isCloseTo(0.5, within(1e-7));
        assertThat(v.get(ImageDistances.Norm.L1)[0]).isCloseTo(0.125, within(1e-7));
        assertThat(v.get(ImageDistances.Norm.L2)[0]).isCloseTo(Math.sqrt(0.01 + 0.04 + 0.04), within(1e-7));
        assertThat(v.get(ImageDistances.Norm.LINF)[0]).isCloseTo(0.2, within(1e-7));
        assertThat(v.get(ImageDistances.Norm.L2)[1]).isEqualTo(0.0);
        assertThat(d.value(ImageDistances.Norm.L1_SUM).value()).isCloseTo(0.25, within(1e-7));
        assertThat(new ImageDistances().value(ImageDistances.Norm.L2).isDefined()).isFalse();
        assertThatThrownBy(() -> d.add(a, img(0, 0, 0, 0))).isInstanceOf(InvalidInputException.Mismatch.class);
    }

    @Test
    void latentPerturbationRatio() {
        INDArray z0 = Nd4j.create(new double[][] {{0, 1, 2, 3}, {1, 1, 1, 1}});
        INDArray z1 = Nd4j.create(new double[][] {{0, 1.5, 2 + 1e-9, 3}, {0, 0, 0, 0}});
        LatentPerturbationRatio lpr = new LatentPerturbationRatio(1e-6);
        assertThat(lpr.add(z0, z1)).containsExactly(0.25, 1.0);
        assertThat(lpr.value().value()).isEqualTo(0.625);
        assertThat(new LatentPerturbationRatio(0).add(z0, z1)[0]).isEqualTo(0.5);
        assertThatThrownBy(() -> new LatentPerturbationRatio(-1)).isInstanceOf(InvalidInputException.Range.class);
    }

    @Test
    void flipRate() {
        FlipRate fr = new FlipRate();
        assertThat(fr.value().reason()).contains("no counterfactuals were evaluated");
        assertThat(fr.add(new int[] {1, 0, 2}, new int[] {1, 1, 2})).containsExactly(true, false, true);
        assertThat(fr.value().value()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(FlipRate.of(new int[] {0}, new int[] {1}).value()).isEqualTo(0.0);
        assertThatThrownBy(() -> fr.add(new int[] {1}, new int[] {1, 2})).isInstanceOf(InvalidInputException.Mismatch.class);
    }
}
