package org.acejvm.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One test per validation rule: each throws its own type and names expected and actual. */
class ChecksTest {
    private static final ImageSpec SPEC = new ImageSpec(3, 4, 4);

    @Test void acceptsValidImages() {
        assertThatCode(() -> Checks.images(Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4), SPEC, "x")).doesNotThrowAnyException();
    }

    @Test void rank() {
        assertThatThrownBy(() -> Checks.images(Nd4j.rand(DataType.FLOAT, 3, 4, 4), SPEC, "x"))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("expected rank 4").hasMessageContaining("[3, 4, 4]");
    }

    @Test void shape() {
        assertThatThrownBy(() -> Checks.images(Nd4j.rand(DataType.FLOAT, 2, 1, 4, 4), SPEC, "x"))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("[N, 3, 4, 4]").hasMessageContaining("[2, 1, 4, 4]");
    }

    @Test void emptyBatch() {
        assertThatThrownBy(() -> Checks.images(Nd4j.create(DataType.FLOAT, 0, 3, 4, 4), SPEC, "x"))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("empty");
    }

    @Test void dtype() {
        assertThatThrownBy(() -> Checks.images(Nd4j.rand(DataType.DOUBLE, 1, 3, 4, 4), SPEC, "x"))
                .isInstanceOf(InvalidInputException.DataType.class).hasMessageContaining("FLOAT").hasMessageContaining("DOUBLE");
    }

    @Test void range() {
        assertThatThrownBy(() -> Checks.images(Nd4j.rand(DataType.FLOAT, 1, 3, 4, 4).mul(255), SPEC, "x"))
                .isInstanceOf(InvalidInputException.Range.class).hasMessageContaining("[0.0, 1.0]");
        assertThatThrownBy(() -> Checks.images(Nd4j.rand(DataType.FLOAT, 1, 3, 4, 4).sub(0.5), SPEC, "x"))
                .isInstanceOf(InvalidInputException.Range.class);
    }

    @Test void nan() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 4);
        x.putScalar(new long[] {0, 1, 2, 3}, Float.NaN);
        assertThatThrownBy(() -> Checks.images(x, SPEC, "x"))
                .isInstanceOf(InvalidInputException.NonFinite.class).hasMessageContaining("1 NaN");
    }

    @Test void infinity() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 4);
        x.putScalar(new long[] {0, 0, 0, 0}, Float.POSITIVE_INFINITY);
        assertThatThrownBy(() -> Checks.images(x, SPEC, "x"))
                .isInstanceOf(InvalidInputException.NonFinite.class).hasMessageContaining("1 infinite");
    }

    @Test void hugeFiniteValuesAreOutOfRangeNotNonFinite() {
        // their float32 sum overflows to infinity; the message used to read "found 0 NaN and 0 infinite"
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 4).mul(3e38f);
        Checks.finite(x, "x");
        assertThatThrownBy(() -> Checks.images(x, SPEC, "x"))
                .isInstanceOf(InvalidInputException.Range.class).hasMessageContaining("out of range")
                .hasMessageContaining("[0.0, 1.0]").hasMessageContaining("E38").hasMessageNotContaining("NaN");
    }

    @Test void classIndex() {
        assertThatThrownBy(() -> Checks.classIndices(new int[] {0, 10}, 10, "targets"))
                .isInstanceOf(InvalidInputException.ClassIndex.class).hasMessageContaining("targets[1]").hasMessageContaining("[0, 10)");
        assertThatThrownBy(() -> Checks.classIndex(-1, 3, "target")).isInstanceOf(InvalidInputException.ClassIndex.class);
    }

    @Test void countMismatch() {
        assertThatThrownBy(() -> Checks.sameCount(4, "images", 3, "targets"))
                .isInstanceOf(InvalidInputException.Mismatch.class).hasMessageContaining("4 and 3");
    }

    @Test void nullArgument() {
        assertThatThrownBy(() -> Checks.images(null, SPEC, "images")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("images must not be null");
    }

    @Test void positiveNumbers() {
        assertThatThrownBy(() -> Checks.positive(0, "step")).isInstanceOf(InvalidInputException.Range.class).hasMessageContaining("step");
        assertThatThrownBy(() -> Checks.nonNegative(Double.NaN, "lambda")).isInstanceOf(InvalidInputException.Range.class);
    }

    @Test void imageSpecRejectsNonPositiveSizes() {
        assertThatThrownBy(() -> new ImageSpec(0, 4, 4)).isInstanceOf(InvalidInputException.Shape.class);
    }
}
