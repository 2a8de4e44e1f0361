package org.acejvm.refine.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ImageData;
import org.acejvm.core.result.Scores;
import org.junit.jupiter.api.Test;

class AttackDiagnosisTest {
    private static final double STEP = 2.0 / 255;
    private static final float[] ORIGINAL = {0.2f, 0.5f, 0.7f, 0.9f};

    private static Explanation attacked(float[] pre, double targetBefore, double targetAfter) {
        return attacked(pre, targetBefore, targetAfter, 10);
    }

    private static Explanation attacked(float[] pre, double targetBefore, double targetAfter, int iterations) {
        ImageData x = new ImageData(new long[] {1, 2, 2}, pre);
        ImageData mask = new ImageData(new long[] {1, 2, 2}, new float[4]);
        return new Explanation(0, 0, "t", 0, 1, x, x, mask, null, new Scores(0, 0.9, targetBefore),
                new Scores(0, 0.8, targetAfter), new Scores(0, 0.8, targetAfter), false, false, iterations, 1);
    }

    @Test
    void anAttackWithinOneStepOfTheInputDidNotMove() {
        float[] oneStep = ORIGINAL.clone();
        oneStep[1] += (float) STEP;
        oneStep[2] -= (float) STEP;
        assertThat(AttackDiagnosis.largestChange(ORIGINAL, attacked(oneStep, 0.05, 0.2))).isCloseTo(STEP, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(AttackDiagnosis.of(ORIGINAL, attacked(oneStep, 0.05, 0.2), STEP)).get().asString()
                .contains("did not move").contains("--lambda 0").contains("calibrate");
        // a single iteration cannot move further than one step: not a diagnosis
        assertThat(AttackDiagnosis.of(ORIGINAL, attacked(oneStep, 0.05, 0.2, 1), STEP)).isEmpty();
    }

    @Test
    void anAttackThatMovedButLoweredTheTargetDidNotRaiseIt() {
        float[] moved = ORIGINAL.clone();
        moved[0] += (float) (3 * STEP);
        assertThat(AttackDiagnosis.of(ORIGINAL, attacked(moved, 0.05, 0.04), STEP)).get().asString()
                .contains("did not raise").contains("0.0500").contains("0.0400");
        assertThat(AttackDiagnosis.of(ORIGINAL, attacked(moved, 0.05, 0.3), STEP)).isEmpty();
    }
}
