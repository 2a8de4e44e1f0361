package org.acejvm.examples.models;

import static org.assertj.core.api.Assertions.assertThat;

import org.acejvm.core.SameDiffClassifier;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.metrics.SameDiffFeatures;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The penultimate-feature output of the shipped classifier (the feature network of ace evaluate). */
class FashionCnnPenultimateTest {
    @Test void penultimateFeaturesAreFc1AfterReluAndGiveTheLogitsThroughFc2() {
        FashionCnn.Model model = FashionCnn.readDefault();
        SameDiffClassifier c = model.classifier();
        FashionCnn cnn = (FashionCnn) c.network();
        assertThat(cnn.withPenultimate().outputNames()).containsExactly("logits", FashionCnn.PENULTIMATE);
        assertThat(cnn.outputNames()).containsExactly("logits"); // the classifier's own graph is unchanged

        INDArray images = FashionMnist.load(FashionMnist.Split.TEST, 6).images(0, 6);
        SameDiffFeatures f = SameDiffFeatures.of(cnn.withPenultimate(), c.inputSpec(), c.preprocessing(), FashionCnn.PENULTIMATE);
        INDArray features = f.features(images);
        assertThat(features.shape()).containsExactly(6, FashionCnn.PENULTIMATE_SIZE);
        assertThat(features.minNumber().doubleValue()).isGreaterThanOrEqualTo(0.0); // after the ReLU
        assertThat(features.maxNumber().doubleValue()).isGreaterThan(0.0);

        // fc2 applied to the features by hand gives the classifier's logits
        INDArray w = model.arrays().get("fc2/W");
        INDArray b = model.arrays().get("fc2/b");
        INDArray logits = features.castTo(DataType.FLOAT).mmul(w).addRowVector(b);
        INDArray expected = c.logits(images);
        assertThat(logits.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-4);
    }
}
