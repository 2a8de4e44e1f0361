package org.acejvm.examples.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DifferenceScaleTest {
    @Test
    void theScaleIsTheLargestValueOfAllMaps() {
        INDArray small = Nd4j.valueArrayOf(new long[] {1, 1, 4, 4}, 0.1f);
        INDArray large = Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 4).putScalar(new long[] {0, 0, 2, 3}, 0.6);
        assertThat(DifferenceScale.over(List.of(small, large)).max()).isCloseTo(0.6, within(1e-6));
        assertThat(DifferenceScale.over(List.of()).max()).isZero();
    }

    @Test
    void mapIsTheLargestAbsoluteChangeOverChannels() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 1, 3, 2, 2);
        INDArray cf = x.dup();
        cf.putScalar(new long[] {0, 0, 0, 0}, 0.2).putScalar(new long[] {0, 2, 0, 0}, -0.5).putScalar(new long[] {0, 1, 1, 1}, 0.3);
        INDArray m = DifferenceScale.map(x, cf);
        assertThat(m.shape()).containsExactly(1, 1, 2, 2);
        assertThat(m.getDouble(0, 0, 0, 0)).isCloseTo(0.5, within(1e-6));
        assertThat(m.getDouble(0, 0, 1, 1)).isCloseTo(0.3, within(1e-6));
        assertThat(m.getDouble(0, 0, 0, 1)).isZero();
    }

    @Test
    void heatIsDrawnOnTheCommonScaleNotTheMapsOwn() {
        INDArray map = Nd4j.valueArrayOf(new long[] {1, 1, 2, 2}, 0.25f);
        INDArray own = new DifferenceScale(0.25).heat(map), common = new DifferenceScale(0.5).heat(map);
        assertThat(own.getDouble(0, 2, 0, 0)).as("blue at its own maximum: white").isCloseTo(1, within(1e-6));
        // half the common scale: red 1, green 0.5, blue 0
        assertThat(common.getDouble(0, 0, 0, 0)).isCloseTo(1, within(1e-6));
        assertThat(common.getDouble(0, 1, 0, 0)).isCloseTo(0.5, within(1e-6));
        assertThat(common.getDouble(0, 2, 0, 0)).isZero();
        assertThat(new DifferenceScale(0).heat(map).maxNumber().doubleValue()).isZero();
    }
}
