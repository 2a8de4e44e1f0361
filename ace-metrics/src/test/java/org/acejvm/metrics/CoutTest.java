package org.acejvm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.acejvm.core.Classifier;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.Preprocessing;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.TinyNetworks;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class CoutTest {

    /** The fixture's linear softmax classifier: logits = flatten(x) @ W^T + b (relu is the identity on [0, 1]). */
    private static Classifier classifier(String name, ImageSpec spec) {
        float[][] w = Fixtures.load(name + "_w").castTo(DataType.FLOAT).toFloatMatrix();
        float[] b = Fixtures.load(name + "_b").castTo(DataType.FLOAT).toFloatVector();
        return new SameDiffClassifier(TinyNetworks.reluLinear(name, w, b), spec, 3, false,
                Preprocessing.none(spec.channels()));
    }

    private static void assertMatchesPython(String name, ImageSpec spec, boolean c3lt, int batchSize) {
        String suffix = c3lt ? "_c3lt" : "";
        Cout cout = new Cout(classifier(name, spec)).c3ltAxis(c3lt).batchSize(batchSize);
        double[] values = cout.add(Fixtures.load(name + "_x"), Fixtures.load(name + "_cf"), Fixtures.ints(name + "_src"),
                Fixtures.ints(name + "_tgt"));
        double[] expected = Fixtures.doubles(name + "_expected" + suffix);
        assertThat(values).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(values[i]).as(name + suffix + " sample " + i).isCloseTo(expected[i], within(1e-6));
        }
        Cout.Result r = cout.result();
        double mean = java.util.Arrays.stream(expected).average().orElseThrow();
        assertThat(r.mean().value()).isCloseTo(mean, within(1e-6));
        assertThat(r.mean().count()).isEqualTo(expected.length);

        double[] axis = Fixtures.doubles(name + "_x_axis" + suffix);
        INDArray target = Fixtures.load(name + "_curve_target" + suffix);
        INDArray source = Fixtures.load(name + "_curve_source" + suffix);
        List<Cout.Curve> curves = r.curves();
        for (int i = 0; i < expected.length; i++) {
            Cout.Curve c = curves.get(i);
            assertThat(c.x()).containsExactly(axis, within(1e-12));
            assertThat(c.target()).containsExactly(target.getRow(i).toDoubleVector(), within(1e-6));
            assertThat(c.source()).containsExactly(source.getRow(i).toDoubleVector(), within(1e-6));
            assertThat(c.cout()).isCloseTo(expected[i], within(1e-6));
        }
        assertThat(r.meanCurve().cout()).isCloseTo(r.mean().value(), within(1e-12)); // the AUC is linear
        assertThat(r.meanCurve().target()[0]).isCloseTo(target.getColumn(0).meanNumber().doubleValue(), within(1e-6));
    }

    @Test
    void matchesPythonOnOneChannel8x8() {
        // 64 pixels: one pixel per step, 65 points
        assertThat(Cout.step(new ImageSpec(1, 8, 8))).isEqualTo(1);
        assertMatchesPython("cout8", new ImageSpec(1, 8, 8), false, 256);
    }

    @Test
    void matchesPythonOnTwoChannels11x11WithAPartialLastStep() {
        // 121 pixels, step 2: 61 steps, the last one inserts a single pixel; channel-summed differences
        assertThat(Cout.step(new ImageSpec(2, 11, 11))).isEqualTo(2);
        assertMatchesPython("cout11", new ImageSpec(2, 11, 11), false, 256);
        assertMatchesPython("cout11", new ImageSpec(2, 11, 11), true, 256);
    }

    @Test
    void batchingDoesNotChangeTheResult() {
        // 7 does not divide 6 x 65 insertion images: batches span sample boundaries
        assertMatchesPython("cout8", new ImageSpec(1, 8, 8), false, 7);
    }

    @Test
    void streamingOverBatchesOfPairsAndASingleImage() {
        Cout cout = new Cout(classifier("cout8", new ImageSpec(1, 8, 8)));
        INDArray x = Fixtures.load("cout8_x");
        INDArray cf = Fixtures.load("cout8_cf");
        int[] src = Fixtures.ints("cout8_src");
        int[] tgt = Fixtures.ints("cout8_tgt");
        double[] expected = Fixtures.doubles("cout8_expected");
        for (int i = 0; i < 6; i++) {
            double[] v = cout.add(x.get(NDArrayIndex.interval(i, i + 1)), cf.get(NDArrayIndex.interval(i, i + 1)),
                    new int[] {src[i]}, new int[] {tgt[i]});
            assertThat(v[0]).isCloseTo(expected[i], within(1e-6));
        }
        assertThat(cout.result().perSample()).containsExactly(expected, within(1e-6));
    }

    @Test
    void singleLogitClassifierEqualsItsTwoClassSoftmaxTwin() {
        // sigmoid(z) = softmax([0, z])[1]: a 1-logit network and a 2-logit network with a zero first row agree
        ImageSpec spec = new ImageSpec(1, 8, 8);
        float[][] w = Fixtures.load("cout8_w").castTo(DataType.FLOAT).toFloatMatrix();
        float[][] w2 = {new float[64], w[0]};
        Classifier single = new SameDiffClassifier(TinyNetworks.reluLinear("one", new float[][] {w[0]}, new float[] {0.1f}),
                spec, 2, true, Preprocessing.none(1));
        Classifier twin = new SameDiffClassifier(TinyNetworks.reluLinear("two", w2, new float[] {0f, 0.1f}),
                spec, 2, false, Preprocessing.none(1));
        INDArray x = Fixtures.load("cout8_x");
        INDArray cf = Fixtures.load("cout8_cf");
        int[] src = single.predict(x);
        int[] tgt = java.util.Arrays.stream(src).map(s -> 1 - s).toArray();
        double[] a = new Cout(single).add(x, cf, tgt);
        double[] b = new Cout(twin).add(x, cf, src, tgt);
        assertThat(a).containsExactly(b, within(1e-6));
        for (double v : a) assertThat(v).isBetween(-1.0, 1.0);
    }

    @Test
    void emptyIsUndefinedAndMismatchedCountsAreRejected() {
        Cout cout = new Cout(classifier("cout8", new ImageSpec(1, 8, 8)));
        assertThat(cout.result().mean().isDefined()).isFalse();
        assertThat(cout.result().meanCurve()).isNull();
        INDArray x = Fixtures.load("cout8_x");
        INDArray cf = Fixtures.load("cout8_cf").get(NDArrayIndex.interval(0, 5));
        assertThatThrownBy(() -> cout.add(x, cf, new int[6], new int[6]))
                .isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> cout.add(x, Fixtures.load("cout8_cf"), new int[6], new int[5]))
                .isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> cout.add(x, Fixtures.load("cout8_cf"), new int[6], new int[] {0, 1, 2, 3, 0, 1}))
                .isInstanceOf(InvalidInputException.ClassIndex.class);
    }

    @Test
    void aucIsTheTrapezoidRule() {
        assertThat(Cout.auc(new double[] {0, 0.5, 1}, new double[] {0, 1, 1})).isCloseTo(0.75, within(1e-15));
        assertThat(Cout.auc(new double[] {0, 1}, new double[] {0.3, 0.3})).isCloseTo(0.3, within(1e-15));
    }
}
