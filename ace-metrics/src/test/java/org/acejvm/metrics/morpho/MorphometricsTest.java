package org.acejvm.metrics.morpho;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.io.Npy;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Morphometrics against the numpy reference (scripts/make_morpho_reference.py, scripts/ace_torch/morpho.py) on 100
 * MNIST digits (10 of each class): every measurement within 1e-9 relative (the two differ only in the order of
 * floating-point sums), plus closed-form shapes.
 */
class MorphometricsTest {
    private static INDArray resource(String name) {
        try (InputStream in = MorphometricsTest.class.getResourceAsStream("/morpho/" + name)) {
            return Npy.read(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void matchesTheNumpyReferenceOnHundredDigits() {
        INDArray digits = resource("digits.npy");
        double[][] expected = resource("morpho.npy").toDoubleMatrix();
        Morphometrics[] measured = Morphometrics.measure(digits);
        assertThat(measured).hasSize(100);
        for (int i = 0; i < 100; i++) {
            double[] m = measured[i].toArray();
            for (int k = 0; k < 6; k++) {
                double tolerance = 1e-9 * Math.max(1.0, Math.abs(expected[i][k]));
                assertThat(m[k]).as("digit %d %s", i, Morphometrics.NAMES.get(k)).isCloseTo(expected[i][k], within(tolerance));
            }
        }
    }

    @Test
    void anUprightBarHasItsSizeNoSlantAndItsWidthAsThickness() {
        double[][] img = new double[28][28];
        for (int y = 4; y < 24; y++) for (int x = 12; x < 15; x++) img[y][x] = 1; // 20 x 3 bar
        Morphometrics m = Morphometrics.measure(img);
        assertThat(m.area()).isCloseTo(60, within(3.0)); // bilinear edges move the half-way contour by under a pixel
        assertThat(m.slant()).isCloseTo(0, within(1e-12));
        assertThat(m.thickness()).isCloseTo(3, within(0.5));
        assertThat(m.length()).isBetween(15.0, 20.0); // thinning stops about half a stroke width short of each end
        assertThat(m.height()).isBetween(17.0, 20.0);
        assertThat(m.width()).isBetween(2.5, 4.0); // bilinear upscaling spreads the grey mass a little
    }

    @Test
    void aLeaningBarHasAPositiveSlantAndAMirroredOneANegative() {
        double[][] right = new double[28][28], left = new double[28][28];
        for (int y = 4; y < 24; y++) {
            int x = 8 + (24 - y) / 2; // top to the right
            for (int dx = 0; dx < 3; dx++) { right[y][x + dx] = 1; left[y][27 - x - dx] = 1; }
        }
        double s = Morphometrics.measure(right).slant();
        assertThat(s).isCloseTo(Math.atan(0.5), within(0.05));
        assertThat(Morphometrics.measure(left).slant()).isCloseTo(-s, within(1e-9));
    }

    /** A blob that thinning removes entirely keeps one skeleton pixel (numpy reference: 3.75, 0, 0.5, 0, 2.68, 2.68). */
    @Test
    void aSmallSquareKeepsOneSkeletonPixelAndHasEveryMeasurement() {
        double[][] img = new double[28][28];
        for (int y = 10; y < 12; y++) for (int x = 10; x < 12; x++) img[y][x] = 1;
        Morphometrics m = Morphometrics.measure(img);
        assertThat(m.toArray()).containsExactly(new double[] {3.75, 0, 0.5, 0, 2.68, 2.68}, within(1e-9));
    }

    @Test
    void aConstantImageIsUndefinedAndBadInputIsATypedError() {
        assertThat(Morphometrics.measure(new double[28][28]).defined()).isFalse();
        double[][] nan = new double[28][28];
        nan[3][3] = Double.NaN;
        assertThatThrownBy(() -> Morphometrics.measure(nan)).isInstanceOf(InvalidInputException.NonFinite.class);
        assertThatThrownBy(() -> Morphometrics.measure(Nd4j.zeros(2, 3, 28, 28))).isInstanceOf(InvalidInputException.Shape.class)
                .hasMessageContaining("[N, 1, H, W]");
        assertThatThrownBy(() -> Morphometrics.measure(new double[28][28], 0.5, 0, 0.02)).isInstanceOf(InvalidInputException.Range.class);
    }
}
