package org.acejvm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** MNAC and CD on a hand-made oracle whose attribute probabilities are the image's three pixels. */
class AttributeMetricsTest {
    private static final AttributeOracle PIXELS = AttributeOracle.of(x -> x.reshape(x.size(0), 3));

    // decisions (p > 0.5; 0.5 itself is absent):
    //   pair 0: [0,1,1] -> [1,1,1]  delta [+1, 0, 0]   1 change
    //   pair 1: [1,0,0] -> [0,1,0]  delta [-1,+1, 0]   2 changes
    //   pair 2: [0,0,1] -> [1,1,1]  delta [+1,+1, 0]   2 changes (0.5 -> 0.51 flips)
    //   pair 3: [1,1,0] -> [0,0,1]  delta [-1,-1,+1]   3 changes
    private static final float[][] ORIGINALS = {{0.2f, 0.7f, 0.9f}, {0.9f, 0.3f, 0.4f}, {0.3f, 0.5f, 0.6f}, {0.6f, 0.8f, 0.2f}};
    private static final float[][] COUNTERFACTUALS = {{0.8f, 0.6f, 0.95f}, {0.1f, 0.6f, 0.45f}, {0.7f, 0.51f, 0.55f},
            {0.4f, 0.3f, 0.7f}};

    private static INDArray images(float[][] p) {
        return Nd4j.create(p).reshape(p.length, 1, 1, 3).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    @Test
    void mnacCountsChangedDecisions() {
        Mnac mnac = new Mnac(PIXELS);
        assertThat(mnac.add(images(ORIGINALS), images(COUNTERFACTUALS))).containsExactly(1, 2, 2, 3);
        assertThat(mnac.value().value()).isEqualTo(2.0);
        assertThat(mnac.value().count()).isEqualTo(4);
        assertThat(new Mnac(PIXELS).value().isDefined()).isFalse();
    }

    @Test
    void cdMatchesHandComputation() {
        // delta_q = [1,-1,1,-1] (centred, sum of squares 4)
        // delta_1 = [0,1,1,-1]: centred [-.25,.75,.75,-1.25], sum sq 2.75, co-moment with q = 1  -> corr 1/sqrt(11)
        // delta_2 = [0,0,0,1]:  centred [-.25,-.25,-.25,.75], sum sq .75,  co-moment with q = -1 -> corr -1/sqrt(3)
        // CD = |1 - 1| + |1/sqrt(11) - 0.5| + |-1/sqrt(3) + 0.2|
        double[] train = {1.0, 0.5, -0.2};
        CorrelationDifference cd = new CorrelationDifference(PIXELS, 0, train);
        cd.add(images(ORIGINALS), images(COUNTERFACTUALS));
        CorrelationDifference.Result r = cd.result();
        assertThat(r.correlations()).containsExactly(new double[] {1.0, 1 / Math.sqrt(11), -1 / Math.sqrt(3)}, within(1e-12));
        double expected = (0.5 - 1 / Math.sqrt(11)) + (1 / Math.sqrt(3) - 0.2);
        assertThat(r.value().value()).isCloseTo(expected, within(1e-12));
        assertThat(r.degenerate()).isEmpty();

        // the same streamed pair by pair, and with a full correlation matrix
        CorrelationDifference streamed = CorrelationDifference.withCorrelationMatrix(PIXELS, 0,
                new double[][] {{1.0, 0.5, -0.2}, {0.5, 1.0, 0.1}, {-0.2, 0.1, 1.0}});
        for (int i = 0; i < 4; i++) {
            streamed.add(images(new float[][] {ORIGINALS[i]}), images(new float[][] {COUNTERFACTUALS[i]}));
        }
        assertThat(streamed.value().value()).isCloseTo(expected, within(1e-12));
    }

    @Test
    void trainCorrelationsFromLabels() {
        // q = [1,0,1,0]; a1 = [1,0,0,0] -> corr .5/sqrt(.75) = 1/sqrt(3); a2 = 1 - a1 -> -1/sqrt(3)
        INDArray labels01 = Nd4j.create(new double[][] {{1, 1, 0}, {0, 0, 1}, {1, 0, 1}, {0, 0, 1}});
        double[] corr = CorrelationDifference.trainCorrelations(labels01, 0);
        assertThat(corr).containsExactly(new double[] {1, 1 / Math.sqrt(3), -1 / Math.sqrt(3)}, within(1e-12));
        // CelebA's -1/1 encoding gives the same correlations
        assertThat(CorrelationDifference.trainCorrelations(labels01.mul(2).sub(1), 0))
                .containsExactly(corr, within(1e-12));

        CorrelationDifference cd = CorrelationDifference.withTrainLabels(PIXELS, 0, labels01);
        cd.add(images(ORIGINALS), images(COUNTERFACTUALS));
        double expected = Math.abs(1 / Math.sqrt(11) - 1 / Math.sqrt(3)) + 0.0;
        assertThat(cd.value().value()).isCloseTo(expected, within(1e-12));
    }

    @Test
    void constantAttributeCountsAsZeroCorrelationAndIsReported() {
        // attribute 2 never changes decision: its correlation is 0 (as the reference's NaN -> 0) and it is listed
        float[][] cf = {{0.8f, 0.6f, 0.95f}, {0.1f, 0.6f, 0.1f}, {0.7f, 0.51f, 0.55f}, {0.4f, 0.3f, 0.1f}};
        CorrelationDifference cd = new CorrelationDifference(PIXELS, 0, new double[] {1.0, 0.5, -0.2});
        cd.add(images(ORIGINALS), images(cf));
        CorrelationDifference.Result r = cd.result();
        assertThat(r.degenerate()).containsExactly(2);
        assertThat(r.correlations()[2]).isEqualTo(0.0);
        assertThat(r.value().value()).isCloseTo(Math.abs(1 / Math.sqrt(11) - 0.5) + 0.2, within(1e-12));
    }

    @Test
    void probabilityDeltasAreAnOption() {
        CorrelationDifference cd = new CorrelationDifference(PIXELS, 0, new double[] {1.0, 0.5, -0.2}).onProbabilities();
        cd.add(images(ORIGINALS), images(COUNTERFACTUALS));
        double[] r = cd.result().correlations();
        assertThat(r[0]).isCloseTo(1.0, within(1e-12));
        // delta_q = [.6,-.8,.4,-.2], delta_2 = [.05,.05,-.05,.5]: pearson by hand
        double[] dq = {0.6, -0.8, 0.4, -0.2};
        double[] d2 = {0.05, 0.05, -0.05, 0.5};
        assertThat(r[2]).isCloseTo(pearson(dq, d2), within(1e-6));
    }

    @Test
    void edgeCases() {
        CorrelationDifference cd = new CorrelationDifference(PIXELS, 0, new double[] {1.0, 0.5, -0.2});
        assertThat(cd.value().reason()).hasValueSatisfying(s -> assertThat(s).contains("at least 2 pairs"));
        cd.add(images(new float[][] {ORIGINALS[0]}), images(new float[][] {COUNTERFACTUALS[0]}));
        assertThat(cd.value().isDefined()).isFalse();
        assertThatThrownBy(() -> cd.add(images(ORIGINALS), images(new float[][] {COUNTERFACTUALS[0]})))
                .isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> cd.addProbabilities(Nd4j.rand(2, 4), Nd4j.rand(2, 4)))
                .isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> new CorrelationDifference(PIXELS, 3, new double[] {1, 0, 0}))
                .isInstanceOf(InvalidInputException.ClassIndex.class);
        assertThatThrownBy(() -> new Mnac(PIXELS).add(images(ORIGINALS), images(new float[][] {ORIGINALS[0]})))
                .isInstanceOf(InvalidInputException.Mismatch.class);
    }

    private static double pearson(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
