package org.acejvm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.Preprocessing;
import org.acejvm.core.TinyNetworks;
import org.acejvm.core.graph.GraphFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SameDiffFeaturesTest {
    private static final ImageSpec SPEC = new ImageSpec(1, 2, 2);

    /** Two outputs: "doubled" = 2x as a feature map [N, 1, 2, 2], and "rowSums" [N, 2] (sums of each image row). */
    private static final GraphFunction TWO_OUTPUTS = new GraphFunction() {
        @Override
        public SDVariable[] call(SameDiff sd, String callName, SDVariable... inputs) {
            SDVariable doubled = inputs[0].mul(callName + "_doubled", 2.0);
            SDVariable rowSums = inputs[0].sum(callName + "_rows", 3).reshape(-1, 2);
            return new SDVariable[] {doubled, rowSums};
        }
        @Override public List<String> inputNames() { return List.of("x"); }
        @Override public List<String> outputNames() { return List.of("doubled", "rowSums"); }
    };

    private static INDArray images() {
        return Nd4j.create(new float[] {0.1f, 0.9f, 0.6f, 0.3f, 0.75f, 0.25f, 0.5f, 0.0f, 1f, 1f, 0f, 0f},
                new long[] {3, 1, 2, 2}, 'c');
    }

    @Test
    void penultimateLayerOfAClassifierAsFeatures() {
        // TinyNetworks.threeClass: relu(x) @ W^T + b with W = [[1,2,3,4],[-1,0,1,0],[.5,.5,.5,.5]], b = [.1,-.2,.3]
        SameDiffFeatures f = SameDiffFeatures.of(TinyNetworks.threeClass(), SPEC, Preprocessing.none(1)).batchSize(2);
        INDArray out = f.features(images());
        assertThat(out.shape()).containsExactly(3, 3);
        // image 0: [0.1, 0.9, 0.6, 0.3] -> [0.1+1.8+1.8+1.2+0.1, -0.1+0.6-0.2, 0.95+0.3]
        assertThat(out.getDouble(0, 0)).isCloseTo(5.0, within(1e-5));
        assertThat(out.getDouble(0, 1)).isCloseTo(0.3, within(1e-5));
        assertThat(out.getDouble(0, 2)).isCloseTo(1.25, within(1e-5));
        // image 2 (third, second chunk): [1, 1, 0, 0] -> [3.1, -1.2, 1.3]
        assertThat(out.getRow(2).toDoubleVector()).containsExactly(new double[] {3.1, -1.2, 1.3}, within(1e-5));
    }

    @Test
    void namedOutputsAsFeaturesAndAsFeatureMaps() {
        SameDiffFeatures both = SameDiffFeatures.of(TWO_OUTPUTS, SPEC, Preprocessing.none(1), "rowSums", "doubled");
        INDArray f = both.features(images());
        // rowSums (2) then doubled flattened (4)
        assertThat(f.shape()).containsExactly(3, 6);
        assertThat(f.getRow(0).toDoubleVector()).containsExactly(new double[] {1.0, 0.9, 0.2, 1.8, 1.2, 0.6}, within(1e-6));

        SameDiffFeatures maps = SameDiffFeatures.of(TWO_OUTPUTS, SPEC, Preprocessing.none(1), "doubled");
        List<INDArray> m = maps.batchSize(2).featureMaps(images());
        assertThat(m).hasSize(1);
        assertThat(m.get(0).shape()).containsExactly(3, 1, 2, 2);
        assertThat(m.get(0).getDouble(2, 0, 0, 1)).isCloseTo(2.0, within(1e-6));
        assertThatThrownBy(() -> both.featureMaps(images())).hasMessageContaining("expected feature maps");
        assertThatThrownBy(() -> SameDiffFeatures.of(TWO_OUTPUTS, SPEC, Preprocessing.none(1), "nope"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("no output 'nope'");
    }

    @Test
    void existingSameDiffGraph() {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("input", DataType.FLOAT, -1, 1, 2, 2);
        sd.math().square(in).mean("energy", 1, 2, 3);
        SameDiffFeatures f = SameDiffFeatures.fromSameDiff(sd, "input", null, "energy");
        INDArray out = f.features(images());
        assertThat(out.shape()).containsExactly(3, 1);
        assertThat(out.getDouble(2, 0)).isCloseTo(0.5, within(1e-6));
        assertThatThrownBy(() -> SameDiffFeatures.fromSameDiff(sd, "energy", null, "energy"))
                .hasMessageContaining("no placeholder");
    }

    @Test
    void wrongImageShapeIsRejected() {
        SameDiffFeatures f = SameDiffFeatures.of(TinyNetworks.threeClass(), SPEC, Preprocessing.none(1));
        assertThatThrownBy(() -> f.features(Nd4j.rand(DataType.FLOAT, 2, 1, 3, 3)))
                .isInstanceOf(InvalidInputException.Shape.class);
    }

    @Test
    void fidOnImagesThroughAnExtractor() {
        FeatureExtractor pixels = FeatureExtractor.of("pixels", x -> x.dup());
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 1, 2, 2);
        INDArray cf = x.mul(0.5);
        boolean[] success = {true, true, false, true, false, true, true, true};
        double expected = new Fid(null, true).addFeatures(x.reshape(8, 4), cf.reshape(8, 4), success).value().value();
        Fid fid = new Fid(pixels, true).add(x, cf, success);
        assertThat(fid.value().value()).isCloseTo(expected, within(1e-9));
        assertThat(fid.value().count()).isEqualTo(6);

        // a single image: FID undefined (covariance needs >= 2 samples)
        Fid one = new Fid(pixels, false).add(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)),
                cf.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)), null);
        assertThat(one.value().isDefined()).isFalse();
        assertThat(one.value().reason().orElseThrow()).contains("at least 2 samples");

        // constant images: zero covariance on both sides, FID finite (= squared mean difference)
        INDArray grey = Nd4j.valueArrayOf(new long[] {5, 1, 2, 2}, 0.5f);
        INDArray dark = Nd4j.valueArrayOf(new long[] {5, 1, 2, 2}, 0.25f);
        assertThat(new Fid(pixels, false).add(grey, dark, null).value().value()).isCloseTo(4 * 0.0625, within(1e-9));

        // mismatched counts
        assertThatThrownBy(() -> new Fid(pixels, false).add(x, grey, null)).isInstanceOf(InvalidInputException.Mismatch.class);
    }
}
