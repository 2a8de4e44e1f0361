package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classes on the command line by index or by name: the embedded classifier's names, or --labels for one's own. */
class ModelOptionsTest {
    @TempDir Path dir;

    @Test
    void theEmbeddedClassesAreNamedAsInFashionMnist() {
        ModelOptions m = new ModelOptions();
        assertThat(m.classIndex("Sandal", 10, "--target")).isEqualTo(5);
        assertThat(m.classIndex("t-shirt/top", 10, "--target")).isZero();
        assertThat(m.classIndex("ankle boot", 10, "--target")).isEqualTo(9);
        assertThat(m.classIndex("7", 10, "--target")).isEqualTo(7);
        assertThatThrownBy(() -> m.classIndex("Sandals", 10, "--target")).isInstanceOf(InvalidInputException.ClassIndex.class)
                .hasMessageContaining("Sandal").hasMessageContaining("got 'Sandals'");
        assertThatThrownBy(() -> m.classIndex("10", 10, "--target")).isInstanceOf(InvalidInputException.ClassIndex.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void labelsNameTheClassesOfOnesOwnClassifier() throws Exception {
        ModelOptions m = new ModelOptions();
        m.classifierFile = dir.resolve("c.onnx");
        m.labelsFile = Files.writeString(dir.resolve("labels.txt"), "cat\ndog\n\nbird\n");
        assertThat(m.classNames(3)).containsExactly("cat", "dog", "bird");
        assertThat(m.classIndex("Dog", 3, "--target")).isEqualTo(1);
        assertThatThrownBy(() -> m.classNames(4)).isInstanceOf(InvalidInputException.Mismatch.class)
                .hasMessageContaining("names 3 classes, the classifier has 4");
        m.labelsFile = null;
        assertThat(m.classNames(2)).containsExactly("class 0", "class 1");
    }
}
