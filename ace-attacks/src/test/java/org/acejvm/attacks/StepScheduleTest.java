package org.acejvm.attacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The step schedule reaches the step rule: exact iterates where the gradient is constant. */
class StepScheduleTest {

    @Test
    void schedulesGiveTheStepOfEachIteration() {
        assertThat(StepSchedule.constant().step(0.2, 9)).isEqualTo(0.2);
        assertThat(StepSchedule.geometric(0.5).step(0.2, 0)).isEqualTo(0.2);
        assertThat(StepSchedule.geometric(0.5).step(0.2, 3)).isEqualTo(0.025);
        assertThat(AttackSettings.defaults().stepSchedule()).isEqualTo(StepSchedule.constant());
        assertThatThrownBy(() -> StepSchedule.geometric(0)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> StepSchedule.geometric(1.5)).isInstanceOf(InvalidInputException.Range.class);
    }

    /**
     * Linear decoder, linear two-class classifier and a C&amp;W hinge whose kappa is never reached: the code gradient
     * is the constant {@code g = Wd V (e_other - e_target)}, so n gradient steps decayed by beta end at
     * {@code z0 - step * g * (1 + beta + ... + beta^(n-1))}.
     */
    @Test
    void geometricDecayGivesTheClosedFormIterates() {
        TinyLatent net = new TinyLatent(2, 7);
        INDArray z0 = TinyLatent.codes(2, 8);
        INDArray x = net.images(z0);
        int[] pred = net.classifier.predict(x);
        int[] t = {1 - pred[0], 1 - pred[1]};
        double step = 0.05, beta = 0.5;
        double[][] starts = TinyLatent.rows(z0);
        for (StepSchedule schedule : new StepSchedule[] {StepSchedule.geometric(beta), StepSchedule.constant()}) {
            for (int n = 1; n <= 4; n++) {
                AttackSettings st = AttackSettings.builder().iterations(n).step(step).lambda1(0).stepSchedule(schedule).build();
                AttackResult r = new GradientAttack("latent GD", st, StepRule.gradient(),
                        SearchSpace.latent(net.decoder, new long[] {TinyLatent.CODE}, StartCodes.given(z0)),
                        new ClassLoss.Hinge(1000), true).prepare(net.classifier).run(x, Targets.classes(t));
                double total = 0;
                for (int i = 0; i < n; i++) total += schedule.step(step, i);
                assertThat(total).isEqualTo(schedule == StepSchedule.constant() ? n * step : step * (2 - Math.pow(0.5, n - 1)),
                        within(1e-15));
                double[][] codes = TinyLatent.rows(r.search());
                for (int b = 0; b < 2; b++) {
                    double[] u = new double[2];
                    u[1 - t[b]] = 1;
                    u[t[b]] = -1;
                    double[] g = net.codeGradient(u);
                    for (int i = 0; i < TinyLatent.CODE; i++) {
                        assertThat(codes[b][i]).as(schedule + ", " + n + " iterations, sample " + b)
                                .isCloseTo(starts[b][i] - total * g[i], within(1e-6));
                    }
                }
            }
        }
    }
}
