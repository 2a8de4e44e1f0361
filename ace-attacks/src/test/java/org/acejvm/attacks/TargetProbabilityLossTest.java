package org.acejvm.attacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** ClassLoss.TargetProbability: minus the target's softmax probability, or the single logit's sigmoid side. */
class TargetProbabilityLossTest {
    private static double[] loss(float[][] logits, float[][] target, boolean singleLogit) {
        SameDiff sd = SameDiff.create();
        SDVariable z = sd.constant("z", Nd4j.create(logits).castTo(DataType.FLOAT));
        SDVariable t = sd.constant("t", Nd4j.create(target).castTo(DataType.FLOAT));
        return new ClassLoss.TargetProbability().perSample(sd, z, t, singleLogit).eval().toDoubleVector();
    }

    @Test
    void multiclassIsMinusTheSoftmaxProbabilityOfTheTarget() {
        double[] l = loss(new float[][] {{1, 2, 3}, {0, 0, 0}}, new float[][] {{0, 0, 1}, {1, 0, 0}}, false);
        double e = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertThat(l[0]).isCloseTo(-Math.exp(3) / e, within(1e-6));
        assertThat(l[1]).isCloseTo(-1.0 / 3, within(1e-6));
    }

    @Test
    void singleLogitIsMinusSigmoidForTargetOneAndMinusItsComplementForTargetZero() {
        double[] l = loss(new float[][] {{0.7f}, {0.7f}}, new float[][] {{1}, {0}}, true);
        double s = 1 / (1 + Math.exp(-0.7));
        assertThat(l[0]).isCloseTo(-s, within(1e-6));
        assertThat(l[1]).isCloseTo(-(1 - s), within(1e-6));
        assertThat(new ClassLoss.TargetProbability().averaged()).isFalse();
    }
}
