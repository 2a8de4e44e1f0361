package org.acejvm.attacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.graph.ImageMap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The defining property of each attack, and the loop's bookkeeping, on tiny hand-built classifiers. */
class GradientAttackTest {
    private static final SameDiffClassifier LINEAR3 = TinyNets.linear(3, 31);
    private static final SameDiffClassifier BINARY = TinyNets.linear(1, 41);

    private static float[] f(INDArray a) { return a.castTo(DataType.FLOAT).dup('c').data().asFloat(); }

    private static AttackSettings.Builder settings() { return AttackSettings.builder(); }

    private static int[] otherThanPrediction(SameDiffClassifier c, INDArray x) {
        int[] p = c.predict(x);
        int[] t = new int[p.length];
        for (int i = 0; i < p.length; i++) t[i] = (p[i] + 1) % c.numClasses();
        return t;
    }

    @Test
    void pgdStepsAreSignStepsOfExactlyStep() {
        INDArray x = TinyNets.images(4, 1, 0.3, 0.7);
        int[] t = otherThanPrediction(LINEAR3, x);
        double step = 3.0 / 255;
        AttackResult r = Attacks.pgd(settings().iterations(1).step(step).build()).prepare(LINEAR3)
                .run(x, Targets.classes(t));
        Objective obj = new Objective(LINEAR3, ImageMap.identity(), SearchSpace.pixels(), new ClassLoss.CrossEntropy(), 0, 0);
        INDArray enc = Nd4j.zeros(DataType.FLOAT, 4, 3);
        for (int i = 0; i < 4; i++) enc.putScalar(i, t[i], 1f);
        float[] g = f(obj.evaluate(x, x, enc, 1.0 / 16, 1, Map.of()).gradient());
        float[] x0 = f(x), x1 = f(r.adversarial());
        int nonZero = 0;
        for (int i = 0; i < x0.length; i++) {
            if (g[i] == 0) {
                assertThat(x1[i]).isEqualTo(x0[i]);
            } else {
                nonZero++;
                assertThat(x1[i]).isEqualTo(x0[i] - (float) step * Math.signum(g[i]));
            }
        }
        assertThat(nonZero).isGreaterThan(200);
        // several steps: every change is a whole number of steps, and at most one step per iteration
        AttackResult r5 = Attacks.pgd(settings().iterations(5).step(step).build()).prepare(LINEAR3)
                .run(x, Targets.classes(t));
        float[] x5 = f(r5.adversarial());
        for (int i = 0; i < x0.length; i++) {
            double k = (x5[i] - x0[i]) / step;
            assertThat(Math.abs(k)).isLessThanOrEqualTo(5 + 1e-4);
            assertThat(Math.abs(k - Math.rint(k))).isLessThan(1e-3);
        }
    }

    @Test
    void fgsmIsOneSignStepOfEpsilon() {
        INDArray x = TinyNets.images(3, 2, 0.3, 0.7);
        AttackResult r = Attacks.fgsm(0.05).prepare(LINEAR3).run(x, Targets.untargeted());
        float[] d = f(r.adversarial().sub(x));
        for (float v : d) assertThat(Math.abs(v)).isCloseTo(0.05f, within(1e-6f));
        assertThat(r.iterations()).containsOnly(1);
    }

    @Test
    void projectionKeepsTheLinfBall() {
        INDArray x = TinyNets.images(4, 3, 0, 1);
        double eps = 0.03;
        AttackResult r = Attacks.pgd(settings().iterations(8).step(0.01).epsilon(eps).build()).prepare(LINEAR3)
                .run(x, Targets.classes(otherThanPrediction(LINEAR3, x)));
        double max = r.adversarial().sub(x).amaxNumber().doubleValue();
        assertThat(max).isLessThanOrEqualTo(eps + 1e-6).isGreaterThan(eps - 1e-3);
    }

    @Test
    void projectionKeepsTheL2Ball() {
        INDArray x = TinyNets.images(4, 4, 0.2, 0.8);
        double eps = 0.5;
        AttackResult r = Attacks.gd(settings().iterations(4).step(5).epsilon(eps).norm(Norm.L2).build())
                .prepare(LINEAR3).run(x, Targets.classes(otherThanPrediction(LINEAR3, x)));
        INDArray d = r.adversarial().sub(x).reshape(4, 64);
        for (int i = 0; i < 4; i++) {
            assertThat(d.getRow(i).norm2Number().doubleValue()).isLessThanOrEqualTo(eps + 1e-5);
        }
        assertThat(d.getRow(0).norm2Number().doubleValue()).isGreaterThan(eps * 0.9);
    }

    @Test
    void projectionByHand() {
        float[] x = {0.5f, 0.5f, 0.5f, 0.5f};
        float[] l2 = {0.8f, 0.9f, 0.5f, 0.5f}; // image 0 moved by (0.3, 0.4): norm 0.5; image 1 unmoved
        SearchSpace.project(l2, x, 2, 0.25, Norm.L2);
        assertThat(l2[0]).isCloseTo(0.65f, within(1e-6f));
        assertThat(l2[1]).isCloseTo(0.7f, within(1e-6f));
        assertThat(l2[2]).isEqualTo(0.5f);
        float[] linf = {0.8f, 0.2f, 0.52f, 1.7f};
        SearchSpace.project(linf, new float[] {0.5f, 0.5f, 0.5f, 0.99f}, 2, 0.1, Norm.LINF);
        assertThat(linf).containsExactly(0.6f, 0.4f, 0.52f, 1.0f);
    }

    @Test
    void clampingKeepsTheUnitInterval() {
        INDArray x = TinyNets.images(4, 5, 0, 1);
        x.putScalar(new long[] {0, 0, 0, 0}, 0f);
        x.putScalar(new long[] {1, 0, 0, 0}, 1f);
        AttackResult r = Attacks.gd(settings().iterations(5).step(100).build()).prepare(LINEAR3)
                .run(x, Targets.classes(otherThanPrediction(LINEAR3, x)));
        assertThat(r.adversarial().minNumber().doubleValue()).isEqualTo(0.0);
        assertThat(r.adversarial().maxNumber().doubleValue()).isEqualTo(1.0);
    }

    @Test
    void untargetedMovesAwayFromTheSourceClass() {
        INDArray x = TinyNets.images(5, 6, 0.2, 0.8);
        List<AttackIteration> events = new ArrayList<>();
        AttackResult r = Attacks.pgd(settings().iterations(12).step(4.0 / 255).build()).prepare(LINEAR3)
                .run(x, Targets.untargeted(), null, null, events::add);
        assertThat(r.targeted()).isFalse();
        assertThat(r.targets()).containsExactly(r.sources());
        for (int i = 0; i < 5; i++) {
            double before = r.initialProbabilities().getDouble(i, r.sources()[i]);
            double after = r.probabilities().getDouble(i, r.sources()[i]);
            assertThat(after).isLessThan(before);
            assertThat(events.get(11).targetProbability()[i]).isGreaterThan(events.get(0).targetProbability()[i]);
        }
        assertThat(r.reached()).containsOnly(true);
        assertThat(events).hasSize(12);
        assertThat(events.get(0).loss()).isGreaterThan(events.get(11).loss());
    }

    @Test
    void targetedPgdReachesTheTargetAndBinaryOppositeWorks() {
        INDArray x = TinyNets.images(4, 7, 0.2, 0.8);
        AttackSettings st = settings().iterations(15).step(4.0 / 255).build();
        AttackResult r = Attacks.pgd(st).prepare(LINEAR3).run(x, Targets.classes(otherThanPrediction(LINEAR3, x)));
        assertThat(r.reached()).containsOnly(true);
        AttackResult b = Attacks.pgd(st).prepare(BINARY).run(x, Targets.opposite());
        for (int i = 0; i < 4; i++) assertThat(b.targets()[i]).isEqualTo(1 - b.sources()[i]);
        assertThat(b.reached()).containsOnly(true);
        assertThat(b.successRate()).isEqualTo(1.0);
    }

    private static double margin(INDArray logits, int row, int target) {
        double best = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < logits.size(1); c++) if (c != target) best = Math.max(best, logits.getDouble(row, c));
        return logits.getDouble(row, target) - best;
    }

    @Test
    void cwStopsPushingOnceTheMarginReachesKappa() {
        INDArray x = TinyNets.images(3, 8, 0.2, 0.8);
        int[] t = otherThanPrediction(LINEAR3, x);
        // one step changes the margin by well under 1 here, so margins end in [kappa, kappa + 1): disjoint for 0 and 3
        for (double kappa : new double[] {0.0, 3.0}) {
            AttackResult r = Attacks.cw(kappa, settings().iterations(40).step(0.1).lambda1(0).build())
                    .prepare(LINEAR3).run(x, Targets.classes(t));
            INDArray z = LINEAR3.logits(r.adversarial());
            for (int i = 0; i < 3; i++) {
                assertThat(margin(z, i, t[i])).as("kappa " + kappa + " image " + i).isBetween(kappa - 1e-4, kappa + 1.0);
            }
            assertThat(r.adversarial().minNumber().doubleValue()).isGreaterThanOrEqualTo((Math.tanh(-3) + 1) / 2 - 1e-6);
            assertThat(r.adversarial().maxNumber().doubleValue()).isLessThanOrEqualTo((Math.tanh(3) + 1) / 2 + 1e-6);
        }
    }

    @Test
    void cwIsTargetedOnly() {
        INDArray x = TinyNets.images(2, 9, 0.2, 0.8);
        assertThatThrownBy(() -> Attacks.cw(0).prepare(LINEAR3).run(x, Targets.untargeted()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("targeted");
    }

    @Test
    void adamDescendsTheObjective() {
        INDArray x = TinyNets.images(3, 10, 0.2, 0.8);
        List<AttackIteration> events = new ArrayList<>();
        AttackResult r = Attacks.adam(settings().iterations(12).step(0.02).build()).prepare(LINEAR3)
                .run(x, Targets.classes(otherThanPrediction(LINEAR3, x)), null, null, events::add);
        assertThat(events.get(11).loss()).isLessThan(events.get(0).loss());
        assertThat(r.reached()).containsOnly(true);
    }

    @Test
    void sameSeedSameResultAndOtherSeedOtherResult() {
        INDArray x = TinyNets.images(3, 11, 0.2, 0.8);
        AttackSession s = Attacks.pgd(settings().iterations(8).lambda1(0.01).build())
                .prepare(LINEAR3, TinyNets.noisyMap(0.3));
        int[] t = otherThanPrediction(LINEAR3, x);
        INDArray a = s.run(x, Targets.classes(t), null, NoiseSource.seeded(5), null).adversarial();
        INDArray b = s.run(x, Targets.classes(t), null, NoiseSource.seeded(5), null).adversarial();
        INDArray c = s.run(x, Targets.classes(t), null, NoiseSource.seeded(6), null).adversarial();
        assertThat(f(a)).containsExactly(f(b));
        assertThat(a.sub(c).amaxNumber().doubleValue()).isGreaterThan(0.0);
    }

    @Test
    void resultsDoNotDependOnHowTheBatchIsSplit() {
        INDArray x = TinyNets.images(6, 12, 0.1, 0.9);
        int[] t = otherThanPrediction(LINEAR3, x);
        AttackSettings st = settings().iterations(6).lambda1(0.01).lambda2(0.1).schedule(DistanceSchedule.LINEAR).build();
        for (Attack attack : List.of(Attacks.pgd(st), Attacks.gd(st.toBuilder().step(0.05).build()),
                Attacks.adam(st.toBuilder().step(0.01).build()), Attacks.cw(0.5, st.toBuilder().step(0.1).build()))) {
            AttackSession s = attack.prepare(LINEAR3, TinyNets.noisyMap(0.3));
            INDArray all = s.run(x, Targets.classes(t), null, NoiseSource.seeded(9), null).adversarial();
            INDArray first = s.run(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)).dup(),
                    Targets.classes(t).slice(0, 4), new long[] {0, 1, 2, 3}, NoiseSource.seeded(9), null).adversarial();
            INDArray second = s.run(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 6)).dup(),
                    Targets.classes(t).slice(4, 6), new long[] {4, 5}, NoiseSource.seeded(9), null).adversarial();
            INDArray joined = Nd4j.concat(0, first, second);
            assertThat(all.sub(joined).amaxNumber().doubleValue()).as(attack.name()).isLessThanOrEqualTo(1e-6);
        }
    }

    @Test
    void earlyStopFreezesEachSampleWhereItReachedTheTarget() {
        INDArray x = TinyNets.images(4, 13, 0.2, 0.8);
        int[] t = otherThanPrediction(LINEAR3, x);
        AttackSettings st = settings().iterations(30).step(3.0 / 255).stopRule(StopRule.targetReached(0.0)).build();
        List<AttackIteration> events = new ArrayList<>();
        AttackResult r = Attacks.pgd(st).prepare(LINEAR3).run(x, Targets.classes(t), null, null, events::add);
        int maxSpent = 0;
        for (int i = 0; i < 4; i++) {
            int spent = r.iterations()[i];
            assertThat(spent).isBetween(1, 29);
            maxSpent = Math.max(maxSpent, spent);
            INDArray xi = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup();
            AttackResult alone = Attacks.pgd(st.toBuilder().iterations(spent).stopRule(StopRule.never()).build())
                    .prepare(LINEAR3).run(xi, Targets.classes(t[i]), new long[] {i}, null, null);
            INDArray mine = r.adversarial().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1));
            assertThat(mine.sub(alone.adversarial()).amaxNumber().doubleValue()).isLessThanOrEqualTo(1e-6);
        }
        assertThat(events).hasSize(maxSpent + 1);
        assertThat(r.reached()).containsOnly(true);
    }

    @Test
    void badInputFailsWithTypedErrors() {
        INDArray x = TinyNets.images(2, 14, 0.2, 0.8);
        AttackSession s = Attacks.pgd(settings().iterations(1).build()).prepare(LINEAR3);
        int[] pred = LINEAR3.predict(x);
        assertThatThrownBy(() -> s.run(x, Targets.of(3))).isInstanceOf(InvalidInputException.ClassIndex.class)
                .hasMessageContaining("[0, 3)").hasMessageContaining("3");
        assertThatThrownBy(() -> s.run(x, Targets.classes(pred))).isInstanceOf(InvalidInputException.ClassIndex.class)
                .hasMessageContaining("already predicts");
        assertThat(s.run(x, Targets.classes(pred).allowingSource()).targets()).containsExactly(pred);
        assertThatThrownBy(() -> s.run(x, Targets.classes(1, 2, 0))).isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> s.run(x, Targets.opposite())).isInstanceOf(InvalidInputException.ClassIndex.class)
                .hasMessageContaining("binary");
        assertThatThrownBy(() -> s.run(Nd4j.rand(DataType.FLOAT, 2, 1, 7, 8), Targets.untargeted()))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("[2, 1, 7, 8]");
        assertThatThrownBy(() -> s.run(x.mul(3), Targets.untargeted())).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> s.run(x, Targets.untargeted(), new long[] {1}, null, null))
                .isInstanceOf(InvalidInputException.Mismatch.class);
        AttackSession noisy = Attacks.pgd().prepare(LINEAR3, TinyNets.noisyMap(0.1));
        assertThatThrownBy(() -> noisy.run(x, Targets.untargeted())).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("noise");
        assertThatThrownBy(() -> settings().iterations(0).build()).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> settings().step(-1).build()).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> StopRule.targetReached(1.5)).isInstanceOf(InvalidInputException.Range.class);
    }

    @Test
    void distanceSchedulesMatchTheReference() {
        assertThat(DistanceSchedule.NONE.weight(3, 50)).isEqualTo(1.0);
        assertThat(DistanceSchedule.STEP.weight(25, 50)).isEqualTo(0.0);
        assertThat(DistanceSchedule.STEP.weight(26, 50)).isEqualTo(1.0);
        assertThat(DistanceSchedule.LINEAR.weight(0, 50)).isEqualTo(1.0 / 50);
        assertThat(DistanceSchedule.LINEAR.weight(49, 50)).isEqualTo(1.0);
        AttackSettings d = AttackSettings.defaults();
        assertThat(d.iterations()).isEqualTo(50);
        assertThat(d.step()).isEqualTo(1.0 / 255);
        assertThat(d.epsilon()).isEqualTo(1.0);
        assertThat(d.lambda1()).isEqualTo(0.001);
        assertThat(d.lambda2()).isEqualTo(0.0);
        assertThat(d.stopRule().active()).isFalse();
    }
}
