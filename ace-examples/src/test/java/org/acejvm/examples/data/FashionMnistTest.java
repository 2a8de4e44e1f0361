package org.acejvm.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Needs the Debian data set (CI installs it): fails, does not skip, when it is absent. */
class FashionMnistTest {
    private static FashionMnist test100;

    @TempDir Path tmp;

    static void requireData(Path dir) {
        if (!Files.isRegularFile(dir.resolve(FashionMnist.Split.TEST.imagesFile()))) {
            fail("Fashion-MNIST is not installed in " + dir + ": run `sudo apt-get install dataset-fashion-mnist` "
                    + "(or set -D" + FashionMnist.DIR_PROPERTY + "=DIR)");
        }
    }

    @BeforeAll
    static void load() {
        requireData(FashionMnist.defaultDirectory());
        test100 = FashionMnist.load(FashionMnist.Split.TEST, 100);
    }

    @Test
    void imagesAreNchwFloat32InUnitRangeAndPaddedByTwo() {
        INDArray x = test100.images();
        assertThat(x.shape()).containsExactly(100, 1, 32, 32);
        assertThat(x.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(x.minNumber().doubleValue()).isGreaterThanOrEqualTo(0.0);
        assertThat(x.maxNumber().doubleValue()).isLessThanOrEqualTo(1.0).isGreaterThan(0.9);
        // the 2-pixel border is zero everywhere
        double border = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2), NDArrayIndex.all()).sumNumber().doubleValue()
                + x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(30, 32), NDArrayIndex.all()).sumNumber().doubleValue()
                + x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2)).sumNumber().doubleValue()
                + x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(30, 32)).sumNumber().doubleValue();
        assertThat(border).isZero();
        // the interior is the raw 28x28 image / 255
        byte[] raw = Idx.readUnsignedBytes(FashionMnist.defaultDirectory().resolve("t10k-images-idx3-ubyte.gz"), 0x0803, 7, 1).bytes();
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                assertThat(x.getFloat(7, 0, r + 2, c + 2)).isEqualTo((raw[r * 28 + c] & 0xff) / 255f);
            }
        }
    }

    @Test
    void labelsAndClassNames() {
        // the first test labels of Fashion-MNIST
        assertThat(test100.labels(0, 10)).containsExactly(9, 2, 1, 1, 6, 1, 4, 6, 5, 7);
        assertThat(FashionMnist.className(9)).isEqualTo("Ankle boot");
        assertThat(FashionMnist.className(0)).isEqualTo("T-shirt/top");
        assertThat(FashionMnist.CLASS_NAMES).hasSize(10);
        assertThatThrownBy(() -> FashionMnist.className(10)).isInstanceOf(InvalidInputException.ClassIndex.class);
        INDArray y = test100.oneHot(new int[] {0, 1});
        assertThat(y.getFloat(0, 9)).isEqualTo(1f);
        assertThat(y.sumNumber().doubleValue()).isEqualTo(2.0);
    }

    @Test
    void subsetsAgreeWithTheWholeAndBatchAccess() {
        FashionMnist slice = FashionMnist.load(FashionMnist.defaultDirectory(), FashionMnist.Split.TEST, 40, 20);
        assertThat(slice.size()).isEqualTo(20);
        assertThat(slice.offset()).isEqualTo(40);
        assertThat(slice.images(0, 20)).isEqualTo(test100.images(40, 60));
        assertThat(slice.labels()).containsExactly(test100.labels(40, 60));
        assertThat(test100.images(new int[] {5, 3})).isEqualTo(
                org.nd4j.linalg.factory.Nd4j.concat(0, test100.images(5, 6), test100.images(3, 4)));
        assertThatThrownBy(() -> test100.images(90, 101)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> FashionMnist.load(FashionMnist.defaultDirectory(), FashionMnist.Split.TEST, 9990, 20))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("holds 10000");
    }

    @Test
    void augmentationShiftsAndMirrorsInsideTheFrame() {
        INDArray plain = test100.images(new int[] {3});
        INDArray shifted = test100.images(new int[] {3}, new int[][] {{1, -2}}, new boolean[] {false});
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                assertThat(shifted.getFloat(0, 0, r + 3, c)).isEqualTo(plain.getFloat(0, 0, r + 2, c + 2));
            }
        }
        INDArray mirrored = test100.images(new int[] {3}, null, new boolean[] {true});
        assertThat(mirrored.getFloat(0, 0, 10, 2)).isEqualTo(plain.getFloat(0, 0, 10, 29));
        assertThat(mirrored.sumNumber().doubleValue()).isCloseTo(plain.sumNumber().doubleValue(), org.assertj.core.data.Offset.offset(1e-3));
        assertThatThrownBy(() -> test100.images(new int[] {3}, new int[][] {{3, 0}}, null))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void pixelStatisticsIncludeThePadding() {
        double[] ms = test100.pixelMeanStd();
        assertThat(ms[0]).isCloseTo(test100.images().meanNumber().doubleValue(), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(ms[1]).isCloseTo(test100.images().stdNumber().doubleValue(), org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void missingDataNamesTheDebianPackage() {
        assertThatThrownBy(() -> FashionMnist.load(tmp, FashionMnist.Split.TRAIN, 0, 10))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("apt-get install dataset-fashion-mnist")
                .hasMessageContaining(tmp.toString());
    }
}
