package org.acejvm.refine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MasksTest {
    @Test
    void unchangedImagesKeepEverything() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 6, 6);
        INDArray pre = x.dup();
        pre.putScalar(new long[] {1, 0, 2, 2}, 0.5f + pre.getFloat(1, 0, 2, 2) / 4); // image 1 changes, image 0 does not
        assertThat(Masks.difference(x, pre).get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).sumNumber().doubleValue()).isZero();
        INDArray keep = Masks.keep(x, pre, MaskSettings.reference());
        assertThat(keep.shape()).containsExactly(2, 1, 6, 6);
        assertThat(keep.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).minNumber().doubleValue()).isEqualTo(1.0);
        assertThat(keep.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).maxNumber().doubleValue()).isEqualTo(0.0);
        assertThat(keep.getDouble(1, 0, 2, 2)).isZero();
    }

    @Test
    void thresholdAndDilationOnAHandMadeExample() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 1, 3, 20, 20);
        INDArray pre = x.dup();
        for (int c = 0; c < 3; c++) pre.putScalar(new long[] {0, c, 10, 10}, 0.2f); // channel sum 0.6 -> normalised 1
        pre.putScalar(new long[] {0, 1, 2, 2}, 0.06f); // 0.06 / 0.6 = 0.1 < 0.15: does not remove pixels by itself
        pre.putScalar(new long[] {0, 2, 17, 2}, 0.12f); // 0.2 >= 0.15: removes its own 15x15 square
        INDArray diff = Masks.difference(x, pre);
        assertThat(diff.getDouble(0, 0, 10, 10)).isCloseTo(1.0, within(1e-7));
        assertThat(diff.getDouble(0, 0, 2, 2)).isCloseTo(0.1, within(1e-6));
        INDArray keep = Masks.keep(x, pre, MaskSettings.reference());
        for (int y = 0; y < 20; y++) {
            for (int xx = 0; xx < 20; xx++) {
                boolean nearCentre = Math.abs(y - 10) <= 7 && Math.abs(xx - 10) <= 7;
                boolean nearCorner = Math.abs(y - 17) <= 7 && Math.abs(xx - 2) <= 7;
                double expected = nearCentre || nearCorner ? 0 : 1;
                assertThat(keep.getDouble(0, 0, y, xx)).as("(" + y + ", " + xx + ")").isEqualTo(expected);
            }
        }
    }

    @Test
    void dilationIsAMaxPoolCutAtTheBorder() {
        INDArray m = Nd4j.create(new float[] {
                0, 0, 0, 0,
                0, 0, 0, 0.5f,
                0, 0.2f, 0, 0,
                0, 0, 0, 0}, new long[] {1, 1, 4, 4}, DataType.FLOAT);
        INDArray d = Masks.dilate(m, 3);
        float[] expected = {
                0, 0, 0.5f, 0.5f,
                0.2f, 0.2f, 0.5f, 0.5f,
                0.2f, 0.2f, 0.5f, 0.5f,
                0.2f, 0.2f, 0.2f, 0};
        assertThat(d.data().asFloat()).containsExactly(expected);
        assertThat(Masks.dilate(m, 1)).isEqualTo(m);
    }

    @Test
    void thresholdIsStrictAndNormalisationIsPerImage() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 2, 1, 3, 3);
        INDArray pre = x.dup();
        pre.putScalar(new long[] {0, 0, 0, 0}, 1f);
        pre.putScalar(new long[] {0, 0, 2, 2}, 0.25f); // normalised 0.25
        pre.putScalar(new long[] {1, 0, 1, 1}, 0.01f); // normalised 1 in its own image
        INDArray keep = Masks.keep(x, pre, new MaskSettings(1, 0.25));
        assertThat(keep.getDouble(0, 0, 2, 2)).isZero(); // 0.25 is not < 0.25
        assertThat(keep.getDouble(0, 0, 0, 0)).isZero();
        assertThat(keep.getDouble(0, 0, 1, 1)).isEqualTo(1.0);
        assertThat(keep.getDouble(1, 0, 1, 1)).isZero();
        assertThat(keep.getDouble(1, 0, 0, 0)).isEqualTo(1.0);
    }

    @Test
    void badInputIsRejected() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 4);
        assertThatThrownBy(() -> Masks.keep(x, Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 5), MaskSettings.reference()))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("[1, 1, 4, 5]");
        assertThatThrownBy(() -> new MaskSettings(4, 0.1)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> new MaskSettings(15, 1.5)).isInstanceOf(InvalidInputException.Range.class);
    }
}
