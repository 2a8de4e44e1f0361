package org.acejvm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SameDiffClassifierTest {
    // preprocessing (x - 0.5) / 0.25, then relu, then a 3x4 linear layer; values computed by hand in the comments
    private final SameDiffClassifier classifier = new SameDiffClassifier(TinyNetworks.threeClass(), new ImageSpec(1, 2, 2), 3,
            false, new Preprocessing(new float[] {0.5f}, new float[] {0.25f}, false));

    private static INDArray batch() {
        return Nd4j.create(new float[] {0.1f, 0.9f, 0.6f, 0.3f, 0.75f, 0.75f, 0.75f, 0.75f}, new long[] {2, 1, 2, 2}, 'c');
    }

    @Test
    void logitsMatchHandComputedValues() {
        // image 0: pre = [-1.6, 1.6, 0.4, -0.8] -> relu [0, 1.6, 0.4, 0] -> [4.5, 0.2, 1.3]
        // image 1: pre = [1, 1, 1, 1] -> [10.1, -0.2, 2.3]
        INDArray logits = classifier.logits(batch());
        assertThat(logits.shape()).containsExactly(2, 3);
        float[] expected = {4.5f, 0.2f, 1.3f, 10.1f, -0.2f, 2.3f};
        float[] got = logits.dup('c').data().asFloat();
        for (int i = 0; i < expected.length; i++) assertThat(got[i]).isCloseTo(expected[i], within(1e-5f));
    }

    @Test
    void inputGradientMatchesHandComputedValues() {
        // d sum(logits * u) / dx = 4 * relu'(pre) * (W^T u)
        // image 0, u = [1, 2, -1]: W^T u = [-1.5, 1.5, 4.5, 3.5], mask [0,1,1,0] -> [0, 6, 18, 0]
        // image 1, u = [0, 0, 1]:  W^T u = [0.5, 0.5, 0.5, 0.5], mask all 1 -> [2, 2, 2, 2]
        INDArray upstream = Nd4j.create(new float[][] {{1, 2, -1}, {0, 0, 1}});
        INDArray grad = classifier.inputGradient(batch(), upstream);
        assertThat(grad.shape()).containsExactly(2, 1, 2, 2);
        float[] expected = {0, 6, 18, 0, 2, 2, 2, 2};
        float[] got = grad.dup('c').data().asFloat();
        for (int i = 0; i < expected.length; i++) assertThat(got[i]).isCloseTo(expected[i], within(1e-4f));
    }

    @Test
    void gradientGraphIsReusedAcrossBatchSizes() {
        INDArray one = batch().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)).dup();
        INDArray g1 = classifier.inputGradient(one, Nd4j.create(new float[][] {{0, 0, 1}}));
        INDArray g2 = classifier.inputGradient(batch(), Nd4j.create(new float[][] {{1, 2, -1}, {0, 0, 1}}));
        assertThat(g1.dup('c').data().asFloat()).containsExactly(g2.slice(1).dup('c').data().asFloat());
    }

    @Test
    void probabilitiesAreSoftmaxAndPredictTakesTheArgmax() {
        INDArray p = classifier.probabilities(batch());
        for (double s : p.sum(1).toDoubleVector()) assertThat(s).isCloseTo(1.0, within(1e-6));
        double e0 = Math.exp(4.5), e1 = Math.exp(0.2), e2 = Math.exp(1.3);
        assertThat(p.getDouble(0, 0)).isCloseTo(e0 / (e0 + e1 + e2), within(1e-6));
        assertThat(classifier.predict(batch())).containsExactly(0, 0);
    }

    @Test
    void singleLogitProbabilitiesAreOneMinusSigmoidAndSigmoid() {
        INDArray logits = Nd4j.create(new float[][] {{0f}, {2f}});
        INDArray p = Classifier.probabilitiesFromLogits(logits, true);
        assertThat(p.shape()).containsExactly(2, 2);
        double s = 1 / (1 + Math.exp(-2));
        assertThat(p.getDouble(1, 1)).isCloseTo(s, within(1e-6));
        assertThat(p.getDouble(1, 0)).isCloseTo(1 - s, within(1e-6));
        assertThat(p.getDouble(0, 1)).isCloseTo(0.5, within(1e-6));
    }

    @Test
    void rejectsImagesOfTheWrongShapeRangeOrType() {
        assertThatThrownBy(() -> classifier.logits(Nd4j.rand(DataType.FLOAT, 2, 1, 3, 3)))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("[N, 1, 2, 2]");
        assertThatThrownBy(() -> classifier.logits(batch().mul(2)))
                .isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> classifier.logits(batch().castTo(DataType.DOUBLE)))
                .isInstanceOf(InvalidInputException.DataType.class);
        assertThatThrownBy(() -> classifier.inputGradient(batch(), Nd4j.ones(DataType.FLOAT, 2, 2)))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("upstream");
    }

    @Test
    void rejectsInconsistentConstruction() {
        assertThatThrownBy(() -> new SameDiffClassifier(TinyNetworks.threeClass(), new ImageSpec(1, 2, 2), 3, true,
                Preprocessing.none(1))).isInstanceOf(InvalidInputException.class).hasMessageContaining("single-logit");
        assertThatThrownBy(() -> new SameDiffClassifier(TinyNetworks.threeClass(), new ImageSpec(1, 2, 2), 3, false,
                Preprocessing.imagenet())).isInstanceOf(InvalidInputException.Mismatch.class);
    }

    @Test
    void reverseChannelPreprocessingFeedsBgr() {
        // identity "network" that returns the preprocessed input flattened: check the channel order and scaling
        var net = TinyNetworks.reluLinear("id3", new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, new float[] {0, 0, 0});
        var bgr = new SameDiffClassifier(net, new ImageSpec(3, 1, 1), 3, false,
                new Preprocessing(new float[] {0f, 0f, 0f}, new float[] {1f, 0.5f, 0.25f}, true));
        INDArray x = Nd4j.create(new float[] {0.1f, 0.2f, 0.3f}, new long[] {1, 3, 1, 1});
        // BGR order: [0.3, 0.2, 0.1], then divided by std of the model's channels [1, 0.5, 0.25]
        assertThat(bgr.logits(x).dup('c').data().asFloat()).containsExactly(0.3f, 0.4f, 0.4f);
    }
}
