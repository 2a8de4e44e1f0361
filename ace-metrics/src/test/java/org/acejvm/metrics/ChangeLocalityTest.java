package org.acejvm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Changed share and top share on changes whose values follow by hand. */
class ChangeLocalityTest {

    /** [n, c, 10, 10] filled with 0.5. */
    private static INDArray grey(int n, int c) {
        return Nd4j.valueArrayOf(new long[] {n, c, 10, 10}, 0.5f, DataType.FLOAT);
    }

    @Test
    void aDenseSmallChangeIsNotLocalised() {
        INDArray x = grey(1, 1);
        INDArray cf = x.add(2.0 / 255);   // every pixel by two levels
        ChangeLocality.PerImage v = new ChangeLocality().perImage(x, cf);
        assertThat(v.changedShare()[0]).isEqualTo(1.0);
        // all 100 pixels change equally: the 10 largest carry exactly 10% of the total
        assertThat(v.topShare()[0]).isCloseTo(0.1, within(1e-6));
    }

    @Test
    void aChangeOfFewPixelsIsLocalised() {
        INDArray x = grey(1, 1);
        INDArray cf = x.dup();
        cf.putScalar(new long[] {0, 0, 3, 4}, 0.9);   // +0.4
        cf.putScalar(new long[] {0, 0, 7, 1}, 0.2);   // -0.3
        ChangeLocality.PerImage v = new ChangeLocality().perImage(x, cf);
        assertThat(v.changedShare()[0]).isEqualTo(0.02);
        assertThat(v.topShare()[0]).isEqualTo(1.0);
        // top 1% = the single largest pixel: 0.4 of 0.7
        assertThat(new ChangeLocality(ChangeLocality.ONE_LEVEL, 0.01).perImage(x, cf).topShare()[0])
                .isCloseTo(0.4 / 0.7, within(1e-6));
    }

    @Test
    void channelsAreSummedPerPixelAsForTheMask() {
        INDArray x = grey(1, 3);
        INDArray cf = x.dup();
        // 0.6/255 in each of three channels of one pixel: below one level per channel, 1.8/255 summed
        for (int c = 0; c < 3; c++) cf.putScalar(new long[] {0, c, 0, 0}, 0.5 + 0.6 / 255);
        assertThat(new ChangeLocality().perImage(x, cf).changedShare()[0]).isEqualTo(0.01);
        assertThat(new ChangeLocality(2.0 / 255, 0.1).perImage(x, cf).changedShare()[0]).isEqualTo(0.0);
    }

    @Test
    void unchangedImagesCountForTheChangedShareButNotForTheTopShare() {
        INDArray x = grey(2, 1);
        INDArray cf = x.dup();
        cf.putScalar(new long[] {1, 0, 5, 5}, 1.0);
        ChangeLocality m = new ChangeLocality();
        ChangeLocality.PerImage v = m.add(x, cf);
        assertThat(v.topShare()[0]).isNaN();
        assertThat(m.changedShare().value()).isCloseTo(0.005, within(1e-12));
        assertThat(m.changedShare().count()).isEqualTo(2);
        assertThat(m.topShare().value()).isEqualTo(1.0);
        assertThat(m.topShare().count()).isEqualTo(1);

        ChangeLocality none = new ChangeLocality();
        assertThat(none.changedShare().reason()).contains("no pairs were evaluated");
        none.add(x, x.dup());
        assertThat(none.changedShare().value()).isEqualTo(0.0);
        assertThat(none.topShare().reason()).contains("no counterfactual differs from its original");
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> new ChangeLocality(-1, 0.1)).isInstanceOf(InvalidInputException.Range.class)
                .hasMessageContaining("threshold");
        assertThatThrownBy(() -> new ChangeLocality(0, 0)).isInstanceOf(InvalidInputException.Range.class)
                .hasMessageContaining("topFraction");
        assertThatThrownBy(() -> new ChangeLocality().add(grey(2, 1), grey(1, 1)))
                .isInstanceOf(InvalidInputException.Mismatch.class);
    }
}
