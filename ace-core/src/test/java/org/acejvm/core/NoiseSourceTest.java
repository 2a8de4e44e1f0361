package org.acejvm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NoiseSourceTest {
    private static float[] bits(INDArray a) { return a.dup('c').data().asFloat(); }

    @Test
    void sameSeedGivesTheSameBits() {
        INDArray a = NoiseSource.seeded(42).gaussian(new long[] {0, 1, 2}, 7, 3, 4, 4);
        INDArray b = NoiseSource.seeded(42).gaussian(new long[] {0, 1, 2}, 7, 3, 4, 4);
        assertThat(a.shape()).containsExactly(3, 3, 4, 4);
        assertThat(bits(a)).containsExactly(bits(b));
        assertThat(bits(NoiseSource.seeded(43).gaussian(new long[] {0, 1, 2}, 7, 3, 4, 4))).isNotEqualTo(bits(a));
    }

    @Test
    void aSamplesNoiseDoesNotDependOnItsBatchNeighbours() {
        NoiseSource noise = NoiseSource.seeded(1);
        INDArray alone = noise.gaussian(new long[] {5}, 3, 2, 8, 8);
        INDArray inBatch = noise.gaussian(new long[] {9, 2, 5, 0}, 3, 2, 8, 8);
        assertThat(bits(inBatch.slice(2))).containsExactly(bits(alone.slice(0)));
    }

    @Test
    void streamsAndSamplesAreIndependent() {
        NoiseSource noise = NoiseSource.seeded(1);
        INDArray s1 = noise.gaussian(new long[] {0, 1}, NoiseSource.stream(1, 0), 1000);
        INDArray s2 = noise.gaussian(new long[] {0}, NoiseSource.stream(1, 1), 1000);
        assertThat(bits(s1.getRow(0))).isNotEqualTo(bits(s2.getRow(0)));
        assertThat(bits(s1.getRow(0))).isNotEqualTo(bits(s1.getRow(1)));
        double corr = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.reduce3.CosineSimilarity(
                s1.getRow(0), s2.getRow(0))).getDouble(0);
        assertThat(corr).isCloseTo(0.0, within(0.15));
    }

    @Test
    void drawsAreStandardNormal() {
        INDArray x = NoiseSource.seeded(2024).gaussian(new long[] {0, 1, 2, 3}, 0, 50_000);
        assertThat(x.meanNumber().doubleValue()).isCloseTo(0.0, within(0.01));
        assertThat(x.stdNumber().doubleValue()).isCloseTo(1.0, within(0.01));
        assertThat(Double.isFinite(x.sumNumber().doubleValue())).isTrue();
        // about 4.55% of a standard normal lies beyond 2 sigma
        double beyond2 = org.nd4j.linalg.ops.transforms.Transforms.abs(x).gt(2.0).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                .meanNumber().doubleValue();
        assertThat(beyond2).isCloseTo(0.0455, within(0.003));
    }

    @Test
    void variantsGiveIndependentButReproducibleStreams() {
        SeededNoiseSource base = new SeededNoiseSource(3);
        assertThat(bits(base.variant(1).gaussian(new long[] {0}, 0, 16)))
                .containsExactly(bits(new SeededNoiseSource(3).variant(1).gaussian(new long[] {0}, 0, 16)))
                .isNotEqualTo(bits(base.variant(2).gaussian(new long[] {0}, 0, 16)));
    }

    @Test
    void suppliedNoiseIsHandedOutInOrderWithShapeChecks() {
        INDArray first = Nd4j.rand(2, 3);
        INDArray second = Nd4j.rand(1, 3);
        NoiseSource supplied = NoiseSource.supplied(List.of(first, second));
        assertThat(supplied.gaussian(new long[] {0, 1}, 0, 3)).isEqualTo(first.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        assertThatThrownBy(() -> supplied.gaussian(new long[] {0, 1}, 0, 3))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("[2, 3]");
        supplied.gaussian(new long[] {0}, 0, 3);
        assertThatThrownBy(() -> supplied.gaussian(new long[] {0}, 0, 3)).hasMessageContaining("exhausted");
    }

    @Test
    void rejectsNonPositiveShapes() {
        assertThatThrownBy(() -> NoiseSource.seeded(0).gaussian(new long[] {0}, 0, 3, 0))
                .isInstanceOf(InvalidInputException.Shape.class);
    }
}
