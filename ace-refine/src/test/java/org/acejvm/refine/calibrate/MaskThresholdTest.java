package org.acejvm.refine.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;

/** The threshold choice on rows as the two outside classifiers' calibrations measured them. */
class MaskThresholdTest {

    private static MaskThreshold.Row row(double t, int flips, double area) {
        return new MaskThreshold.Row(t, 8, flips, 0.03, area);
    }

    @Test
    void withinTheAreaTheMostFlipsThenTheLowerThresholdWin() {
        // cnn-gap: every mask is readable; 0.15 and 0.25 tie on flips, the lower keeps more of the change
        List<MaskThreshold.Row> rows = List.of(row(0.15, 8, 0.299), row(0.25, 8, 0.260), row(0.35, 7, 0.218),
                row(0.5, 7, 0.157));
        MaskThreshold.Row chosen = MaskThreshold.best(rows, 0.35);
        assertThat(chosen.threshold()).isEqualTo(0.15);
        assertThat(MaskThreshold.withinArea(chosen, 0.35)).isTrue();
        // a stricter area leaves out 0.15 and 0.25
        assertThat(MaskThreshold.best(rows, 0.25).threshold()).isEqualTo(0.35);
    }

    @Test
    void withNoReadableMaskTheSmallestMaskLosingAtMostOneFlipWins() {
        // resnet18-gray: every mask is over 35%; 0.5 loses one flip of 7 and halves the mask
        List<MaskThreshold.Row> rows = List.of(row(0.15, 7, 0.710), row(0.25, 7, 0.681), row(0.35, 7, 0.606),
                row(0.5, 6, 0.459));
        MaskThreshold.Row chosen = MaskThreshold.best(rows, 0.35);
        assertThat(chosen.threshold()).isEqualTo(0.5);
        assertThat(MaskThreshold.withinArea(chosen, 0.35)).isFalse();
        // losing two flips is too many
        List<MaskThreshold.Row> costly = List.of(row(0.15, 7, 0.710), row(0.5, 5, 0.459));
        assertThat(MaskThreshold.best(costly, 0.35).threshold()).isEqualTo(0.15);
    }

    @Test
    void noRowsAndBadAreasAreRefused() {
        assertThatThrownBy(() -> MaskThreshold.best(List.of(), 0.35)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no mask threshold");
        assertThatThrownBy(() -> CalibrationPlan.builder().maxMaskArea(0).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("maxMaskArea");
        assertThatThrownBy(() -> CalibrationPlan.builder().maxMaskArea(1.5).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("(0, 1]");
    }
}
