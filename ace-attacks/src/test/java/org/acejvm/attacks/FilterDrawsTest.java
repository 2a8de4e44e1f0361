package org.acejvm.attacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.graph.ImageMap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Expectation over the map's noise: one gradient-descent step checked against gradients computed by hand. */
class FilterDrawsTest {
    private static final SameDiffClassifier LINEAR3 = TinyNets.linear(3, 31);
    private static final ImageMap NOISY = TinyNets.noisyMap(0.8);
    private static final double STEP = 0.05;
    private static final long[] IDS = {0, 1, 2};

    private static float[] f(INDArray a) { return a.castTo(DataType.FLOAT).dup('c').data().asFloat(); }

    private final INDArray x = TinyNets.images(3, 21, 0.3, 0.7);
    private final int[] targets = otherThanPrediction(x);

    @Test
    void oneDrawIsTheSingleNoiseDrawOfTheIteration() {
        float[] g = handGradient(0);
        float[] x0 = f(x), x1 = f(oneStep(1));
        for (int i = 0; i < x0.length; i++) assertThat(x1[i]).isEqualTo(x0[i] - (float) STEP * g[i]);
    }

    @Test
    void twoDrawsStepAlongTheMeanOfTwoSingleDrawGradients() {
        float[] g0 = handGradient(0), g1 = handGradient(1);
        float[] x0 = f(x), x2 = f(oneStep(2));
        double differs = 0;
        for (int i = 0; i < x0.length; i++) {
            double mean = (g0[i] + (double) g1[i]) / 2;
            assertThat((double) x2[i]).isCloseTo(x0[i] - STEP * mean, org.assertj.core.api.Assertions.within(1e-6));
            differs = Math.max(differs, Math.abs(g0[i] - mean));
        }
        // the draws differ, so the mean is not the first draw's gradient
        assertThat(differs * STEP).isGreaterThan(1e-4);
    }

    @Test
    void filterSamplesMustBePositiveAndDefaultToOne() {
        assertThat(AttackSettings.defaults().filterSamples()).isEqualTo(1);
        assertThat(AttackSettings.builder().filterSamples(3).build().toBuilder().build().filterSamples()).isEqualTo(3);
        assertThatThrownBy(() -> AttackSettings.builder().filterSamples(0).build())
                .isInstanceOf(InvalidInputException.Range.class).hasMessageContaining("filterSamples");
    }

    /** One GD iteration with {@code draws} noise draws per iteration. */
    private INDArray oneStep(int draws) {
        AttackSettings s = AttackSettings.builder().iterations(1).step(STEP).lambda1(0.01).filterSamples(draws).build();
        return Attacks.gd(s).prepare(LINEAR3, NOISY).run(x, Targets.classes(targets), IDS, NoiseSource.seeded(3), null)
                .adversarial();
    }

    /** The objective's gradient at x with the map's noise of call index {@code callIndex}, by hand. */
    private float[] handGradient(long callIndex) {
        Objective obj = new Objective(LINEAR3, NOISY, SearchSpace.pixels(), new ClassLoss.CrossEntropy(), 0.01, 0);
        INDArray enc = Nd4j.zeros(DataType.FLOAT, 3, 3);
        for (int i = 0; i < 3; i++) enc.putScalar(i, targets[i], 1f);
        var feed = NOISY.noiseFeed(Objective.MAP_CALL, IDS, callIndex, NoiseSource.seeded(3));
        return f(obj.evaluate(x, x, enc, 1.0 / AttackSettings.REFERENCE_BATCH_SIZE, 1, feed).gradient());
    }

    private static int[] otherThanPrediction(INDArray x) {
        int[] p = LINEAR3.predict(x);
        int[] t = new int[p.length];
        for (int i = 0; i < p.length; i++) t[i] = (p[i] + 1) % 3;
        return t;
    }
}
