package org.acejvm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Ridge probes against closed forms: exact linear attributes are recovered, scores are the probes' predicted changes. */
class AttributeProbesTest {
    private static double[][] codes(int n, int k, long seed) {
        Random r = new Random(seed);
        double[][] w = new double[n][k];
        for (double[] row : w) for (int j = 0; j < k; j++) row[j] = r.nextGaussian();
        return w;
    }

    @Test
    void recoversExactLinearAttributesAndScoresTheirPredictedChange() {
        double[][] w = codes(200, 5, 1);
        double[][] attrs = new double[200][2];
        for (int i = 0; i < 200; i++) {
            attrs[i][0] = 2 * w[i][0] - w[i][3] + 1;
            attrs[i][1] = 0.5 * w[i][4] - 3;
        }
        AttributeProbes p = AttributeProbes.fitRidge(Nd4j.create(w), attrs, List.of("thickness", "slant"), 0);
        assertThat(p.weights()[0]).containsExactly(new double[] {2, 0, 0, -1, 0}, within(1e-9));
        assertThat(p.biases()[0]).isCloseTo(1, within(1e-9));
        assertThat(p.weights()[1]).containsExactly(new double[] {0, 0, 0, 0, 0.5}, within(1e-9));
        assertThat(p.biases()[1]).isCloseTo(-3, within(1e-9));

        INDArray start = Nd4j.create(new double[][] {w[0], w[1]});
        INDArray moved = start.dup();
        moved.putScalar(0, 0, w[0][0] + 1);   // +1 along code 0: thickness +2
        moved.putScalar(1, 4, w[1][4] - 2);   // -2 along code 4: slant -1
        double[][] local = p.localScores(start, moved);
        assertThat(local[0]).containsExactly(new double[] {2, 0}, within(1e-9));
        assertThat(local[1]).containsExactly(new double[] {0, -1}, within(1e-9));
        double[] global = AttributeProbes.globalScores(local, List.of(0, 1));
        assertThat(global).containsExactly(new double[] {1, -0.5}, within(1e-9));
        assertThat(AttributeProbes.ranking(global)).containsExactly(0, 1);
        assertThat(AttributeProbes.ranking(new double[] {0.1, -3, 2})).containsExactly(1, 2, 0);
    }

    @Test
    void ridgeShrinksTheWeights() {
        double[][] w = codes(50, 3, 2);
        double[][] attrs = new double[50][1];
        for (int i = 0; i < 50; i++) attrs[i][0] = w[i][1];
        double free = AttributeProbes.fitRidge(Nd4j.create(w), attrs, List.of("a"), 0).weights()[0][1];
        double shrunk = AttributeProbes.fitRidge(Nd4j.create(w), attrs, List.of("a"), 100).weights()[0][1];
        assertThat(shrunk).isPositive().isLessThan(free);
    }

    @Test
    void badInputIsATypedError() {
        double[][] w = codes(10, 3, 3);
        assertThatThrownBy(() -> AttributeProbes.fitRidge(Nd4j.create(w), new double[10][2], List.of("a"), 0))
                .isInstanceOf(InvalidInputException.Mismatch.class).hasMessageContaining("expected 1 per code");
        assertThatThrownBy(() -> AttributeProbes.fitRidge(Nd4j.create(w), new double[9][1], List.of("a"), 0))
                .isInstanceOf(InvalidInputException.class);
        AttributeProbes p = AttributeProbes.fitRidge(Nd4j.create(w), new double[10][1], List.of("a"), 1);
        assertThatThrownBy(() -> p.predict(Nd4j.zeros(2, 4))).isInstanceOf(InvalidInputException.Mismatch.class)
                .hasMessageContaining("read 3 values per code, got 4");
    }

    /**
     * Logistic probes (Tribuo) on labels drawn from a known logistic model, log-odds 2 w0 - w1 + 0.5: the fitted
     * log-odds direction recovers it (the maximum-likelihood estimate on 4,000 codes is within about 0.15 of it), the
     * scores are changes of log-odds, and the same seed gives the same probes.
     */
    @Test
    void logisticProbesRecoverTheLogOddsOfABinaryAttribute() {
        int n = 4000;
        double[][] w = codes(n, 4, 3);
        Random r = new Random(4);
        boolean[][] labels = new boolean[n][2];
        for (int i = 0; i < n; i++) {
            double logit = 2 * w[i][0] - w[i][1] + 0.5;
            labels[i][0] = r.nextDouble() < 1 / (1 + Math.exp(-logit));
            labels[i][1] = w[i][3] < 0; // separable: only the direction is defined
        }
        INDArray x = Nd4j.create(w);
        AttributeProbes p = AttributeProbes.fitLogistic(x, labels, List.of("smiling", "dark"), 7);
        assertThat(p.weights()[0][0]).isCloseTo(2, within(0.35));
        assertThat(p.weights()[0][1]).isCloseTo(-1, within(0.25));
        assertThat(p.weights()[0][2]).isCloseTo(0, within(0.2));
        assertThat(p.weights()[0][3]).isCloseTo(0, within(0.2));
        assertThat(p.biases()[0]).isCloseTo(0.5, within(0.2));
        double[] d = p.weights()[1];
        assertThat(-d[3] / Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + d[3] * d[3])).isGreaterThan(0.95);
        // the local score is the change of the predicted log-odds
        double[][] local = p.localScores(Nd4j.create(new double[][] {{0, 0, 0, 0}}), Nd4j.create(new double[][] {{1, 0, 0, 0}}));
        assertThat(local[0][0]).isCloseTo(p.weights()[0][0], within(1e-12));
        AttributeProbes again = AttributeProbes.fitLogistic(x, labels, List.of("smiling", "dark"), 7);
        assertThat(again.weights()).isDeepEqualTo(p.weights());
        assertThat(again.biases()).containsExactly(p.biases());
    }

    @Test
    void aLogisticProbeNeedsBothValues() {
        double[][] w = codes(10, 3, 5);
        boolean[][] labels = new boolean[10][1];
        assertThatThrownBy(() -> AttributeProbes.fitLogistic(Nd4j.create(w), labels, List.of("hat"), 0))
                .isInstanceOf(InvalidInputException.Range.class).hasMessageContaining("'hat'").hasMessageContaining("both values");
        assertThatThrownBy(() -> AttributeProbes.fitLogistic(Nd4j.create(w), new boolean[10][2], List.of("hat"), 0))
                .isInstanceOf(InvalidInputException.Mismatch.class).hasMessageContaining("expected 1 per code");
    }
}
