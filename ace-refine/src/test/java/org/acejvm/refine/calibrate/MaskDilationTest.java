package org.acejvm.refine.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.acejvm.core.InvalidInputException;
import org.acejvm.refine.MaskSettings;
import org.junit.jupiter.api.Test;

class MaskDilationTest {
    @Test
    void scalesTheReferenceDilationToTheImageSideAsAnOddSize() {
        assertThat(MaskDilation.forSide(128)).isEqualTo(MaskSettings.REFERENCE_DILATION);
        assertThat(MaskDilation.forSide(256)).isEqualTo(31);
        assertThat(MaskDilation.forSide(64)).isEqualTo(7);
        assertThat(MaskDilation.forSide(32)).isEqualTo(3);
        assertThat(MaskDilation.forSide(28)).isEqualTo(3);
        assertThat(MaskDilation.forSide(8)).isEqualTo(1);
        assertThat(MaskDilation.forSide(1)).isEqualTo(1);
        for (int side = 1; side <= 300; side++) {
            int d = MaskDilation.forSide(side);
            assertThat(d % 2).isEqualTo(1);
            assertThat(Math.abs(d - 0.12 * side)).isLessThanOrEqualTo(1.0);
        }
        assertThatThrownBy(() -> MaskDilation.forSide(0)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> MaskDilation.forSide(32, 0)).isInstanceOf(InvalidInputException.Range.class);
    }
}
