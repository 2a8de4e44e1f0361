package org.acejvm.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImagesTest {
    @TempDir Path dir;

    /** Values on the 1/255 grid survive PNG exactly. */
    private static INDArray quantised(long... shape) {
        INDArray x = Nd4j.rand(DataType.FLOAT, shape).mul(255);
        return org.nd4j.linalg.ops.transforms.Transforms.round(x).div(255).castTo(DataType.FLOAT);
    }

    @Test
    void rgbPngRoundTripIsExact() {
        INDArray x = quantised(1, 3, 5, 7);
        Path f = dir.resolve("rgb.png");
        Images.write(x, f);
        INDArray back = Images.read(f, 3);
        assertThat(back.shape()).containsExactly(1, 3, 5, 7);
        assertThat(back.sub(x).amaxNumber().doubleValue()).isLessThan(1e-6);
    }

    @Test
    void greyPngRoundTripIsExact() {
        INDArray x = quantised(1, 1, 6, 4);
        Path f = dir.resolve("grey.png");
        Images.write(x, f);
        INDArray back = Images.read(f, 1);
        assertThat(back.shape()).containsExactly(1, 1, 6, 4);
        assertThat(back.sub(x).amaxNumber().doubleValue()).isLessThan(1e-6);
    }

    @Test
    void jpegRoundTripIsClose() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 1, 3, 16, 16).mul(0.4);
        Path f = dir.resolve("flat.jpg");
        Images.write(x, f);
        assertThat(Images.read(f, 3).sub(x).amaxNumber().doubleValue()).isLessThan(0.02);
    }

    @Test
    void readingRgbAsGreyUsesLuma() {
        INDArray red = Nd4j.zeros(DataType.FLOAT, 1, 3, 2, 2);
        red.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0)).assign(1.0);
        Path f = dir.resolve("red.png");
        Images.write(red, f);
        assertThat(Images.read(f, 1).getDouble(0, 0, 0, 0)).isCloseTo(0.299, within(1e-3));
    }

    @Test
    void resizeKeepsConstantsAndInterpolates() {
        INDArray c = Nd4j.ones(DataType.FLOAT, 2, 3, 7, 5).mul(0.25);
        INDArray r = Images.resize(c, 14, 3);
        assertThat(r.shape()).containsExactly(2, 3, 14, 3);
        assertThat(r.sub(0.25).amaxNumber().doubleValue()).isLessThan(1e-6);
        // a left-to-right ramp [0, 1] upsampled 2x: inner samples at 1/4 and 3/4 between pixels
        INDArray ramp = Nd4j.create(new float[] {0f, 1f}, new long[] {1, 1, 1, 2});
        assertThat(Images.resize(ramp, 1, 4).dup('c').data().asFloat()).containsExactly(0f, 0.25f, 0.75f, 1f);
    }

    @Test
    void readWithResizeGivesTheModelSize() {
        Path f = dir.resolve("big.png");
        Images.write(quantised(1, 3, 20, 30), f);
        assertThat(Images.read(f, 3, 10, 10).shape()).containsExactly(1, 3, 10, 10);
    }

    @Test
    void gridLaysRowsSideBySide() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 4, 3, 8, 8);
        INDArray b = Nd4j.ones(DataType.FLOAT, 4, 3, 8, 8);
        BufferedImage g = Images.grid(List.of(a, b), 2, 2);
        assertThat(g.getWidth()).isEqualTo(4 * (16 + 2) + 2);
        assertThat(g.getHeight()).isEqualTo(2 * (16 + 2) + 2);
        assertThat(g.getRGB(3, 3) & 0xFFFFFF).isEqualTo(0x000000);          // row 0: black cell
        assertThat(g.getRGB(3, 2 + 18 + 1) & 0xFFFFFF).isEqualTo(0xFFFFFF); // row 1: white cell
        assertThatThrownBy(() -> Images.grid(List.of(a, Nd4j.zeros(DataType.FLOAT, 3, 3, 8, 8)), 2, 1))
                .isInstanceOf(InvalidInputException.Shape.class);
    }

    @Test
    void heatMapIsBlackForZeroAndWhiteAtTheMaximum() {
        INDArray m = Nd4j.create(new float[] {0f, 1f, 2f, 4f}, new long[] {1, 2, 2});
        INDArray h = Images.heatMap(m);
        assertThat(h.shape()).containsExactly(1, 3, 2, 2);
        assertThat(h.getDouble(0, 0, 0, 0)).isZero();
        assertThat(h.getDouble(0, 2, 1, 1)).isEqualTo(1.0);
    }

    @Test
    void heatMapOnAFixedScaleIsWhiteOnlyAtThatScale() {
        INDArray m = Nd4j.create(new float[] {0f, 1f, 4f, 16f}, new long[] {1, 2, 2});
        INDArray h = Images.heatMap(m, 8);
        // 4 of 8: red 1, green 0.5, blue 0
        assertThat(h.getDouble(0, 0, 1, 0)).isEqualTo(1.0);
        assertThat(h.getDouble(0, 1, 1, 0)).isCloseTo(0.5, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(h.getDouble(0, 2, 1, 0)).isZero();
        assertThat(h.getDouble(0, 2, 1, 1)).as("above the scale: white").isEqualTo(1.0);
        assertThat(Images.heatMap(m, 0).maxNumber().doubleValue()).isZero();
    }

    @Test
    void missingOrBrokenFilesGiveClearErrors() throws Exception {
        assertThatThrownBy(() -> Images.read(dir.resolve("nope.png"), 3))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("not found");
        Path junk = dir.resolve("junk.png");
        Files.writeString(junk, "not an image");
        assertThatThrownBy(() -> Images.read(junk, 3)).isInstanceOf(ModelFormatException.class).hasMessageContaining("junk.png");
        assertThatThrownBy(() -> Images.write(Nd4j.zeros(DataType.FLOAT, 1, 3, 2, 2), dir.resolve("x.bmp")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(".png");
        assertThatThrownBy(() -> Images.read(junk, 2)).isInstanceOf(InvalidInputException.Shape.class);
    }
}
