package org.acejvm.attacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.acejvm.core.InvalidInputException;
import org.acejvm.core.SameDiffClassifier;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The PGD class losses beyond cross-entropy (ClassLoss.TargetLogit and the averaged margin), their text form, and
 * what the margin loss is for: it keeps pulling after the flip until the target leads by kappa.
 */
class ClassLossTest {
    private static double[] loss(ClassLoss l, float[][] logits, float[][] target, boolean singleLogit) {
        SameDiff sd = SameDiff.create();
        SDVariable z = sd.constant("z", Nd4j.create(logits).castTo(DataType.FLOAT));
        SDVariable t = sd.constant("t", Nd4j.create(target).castTo(DataType.FLOAT));
        return l.perSample(sd, z, t, singleLogit).eval().toDoubleVector();
    }

    @Test
    void targetLogitIsMinusTheTargetsLogitAveragedLikeCrossEntropy() {
        double[] l = loss(new ClassLoss.TargetLogit(), new float[][] {{1, 2, 3}, {-4, 0.5f, 0}},
                new float[][] {{0, 0, 1}, {1, 0, 0}}, false);
        assertThat(l).containsExactly(new double[] {-3, 4}, within(1e-6));
        double[] single = loss(new ClassLoss.TargetLogit(), new float[][] {{0.7f}, {0.7f}}, new float[][] {{1}, {0}}, true);
        assertThat(single).containsExactly(new double[] {-0.7, 0.7}, within(1e-6));
        assertThat(new ClassLoss.TargetLogit().averaged()).isTrue();
    }

    @Test
    void marginIsTheHingeCappedAtKappaAndAveraged() {
        // rows: target 0 trails the best rival by 2; target 2 leads by 1 (capped at -0.5); target 1 leads by 3.5 (not capped at 5)
        float[][] z = {{1, 2, 3}, {1, 2, 3}, {0, 3.5f, 0}};
        float[][] t = {{1, 0, 0}, {0, 0, 1}, {0, 1, 0}};
        assertThat(loss(ClassLoss.margin(0.5), z, t, false)).containsExactly(new double[] {2, -0.5, -0.5}, within(1e-6));
        assertThat(loss(ClassLoss.margin(5), z, t, false)).containsExactly(new double[] {2, -1, -3.5}, within(1e-6));
        assertThat(ClassLoss.margin(5).averaged()).isTrue();
        assertThat(new ClassLoss.Hinge(5).averaged()).as("C&W's hinge stays summed").isFalse();
    }

    @Test
    void keysReadBack() {
        for (ClassLoss l : new ClassLoss[] {new ClassLoss.CrossEntropy(), new ClassLoss.TargetLogit(),
                new ClassLoss.TargetProbability(), ClassLoss.margin(10), ClassLoss.margin(2.5), new ClassLoss.Hinge(0)}) {
            assertThat(ClassLoss.parse(l.key())).isEqualTo(l);
        }
        assertThat(ClassLoss.margin(10).key()).isEqualTo("margin:10");
        assertThat(ClassLoss.parse(" Margin:3 ")).isEqualTo(ClassLoss.margin(3));
    }

    @Test
    void badKeysAreNamed() {
        for (String bad : new String[] {"", "hinge", "margin:", "margin:x", "softmax"}) {
            assertThatThrownBy(() -> ClassLoss.parse(bad)).as(bad).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("margin:KAPPA");
        }
        assertThatThrownBy(() -> ClassLoss.parse("margin:-1")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("kappa");
    }

    /** Target's logit minus the best rival's, per row. */
    private static double[] leads(SameDiffClassifier c, INDArray x, int[] t) {
        INDArray z = c.logits(x);
        double[] out = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < z.size(1); k++) if (k != t[i]) best = Math.max(best, z.getDouble(i, k));
            out[i] = z.getDouble(i, t[i]) - best;
        }
        return out;
    }

    @Test
    void pgdWithTheMarginLossKeepsPullingUntilTheTargetLeadsByKappaAgainstTheSameL1Weight() {
        SameDiffClassifier c = TinyNets.linear(3, 11);
        INDArray x = TinyNets.images(4, 13, 0.3, 0.7);
        int[] pred = c.predict(x);
        int[] t = new int[pred.length];
        for (int i = 0; i < t.length; i++) t[i] = (pred[i] + 1 + i % 2) % 3;
        AttackSettings s = AttackSettings.builder().iterations(300).step(0.005).lambda1(0.05).lossBatchSize(1).build();
        INDArray ce = Attacks.pgd(s).prepare(c).run(x, Targets.classes(t)).adversarial();
        INDArray margin = Attacks.pgd(s, ClassLoss.margin(5)).prepare(c)
                .run(x, Targets.classes(t)).adversarial();
        double[] leadCe = leads(c, ce, t);
        double[] leadMargin = leads(c, margin, t);
        for (int i = 0; i < t.length; i++) {
            // cross-entropy's pull (1 - p(target)) falls below the l1 weight near the boundary; the margin's does not
            assertThat(leadCe[i]).as("row %d, cross-entropy", i).isPositive().isLessThan(3.5);
            assertThat(leadMargin[i]).as("row %d, margin", i).isGreaterThan(4.5).isGreaterThan(leadCe[i] + 1);
        }
    }
}
