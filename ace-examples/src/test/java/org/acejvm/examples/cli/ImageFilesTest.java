package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --image takes files, folders of images and quoted patterns. */
class ImageFilesTest {
    @TempDir Path dir;

    @Test
    void foldersAndPatternsExpandToTheirImagesInNameOrder() throws Exception {
        for (String f : List.of("b.png", "a.PNG", "c.jpg", "notes.txt")) Files.writeString(dir.resolve(f), "");
        Files.createDirectories(dir.resolve("sub.png"));   // a folder named like an image is not an image
        assertThat(ImageFiles.expand(List.of(dir), "--image"))
                .containsExactly(dir.resolve("a.PNG"), dir.resolve("b.png"), dir.resolve("c.jpg"));
        assertThat(ImageFiles.expand(List.of(dir.resolve("*.png"), dir.resolve("notes.txt")), "--image"))
                .containsExactly(dir.resolve("b.png"), dir.resolve("notes.txt"));
        assertThat(ImageFiles.expand(List.of(dir.resolve("[ab].*")), "--image"))
                .containsExactly(dir.resolve("a.PNG"), dir.resolve("b.png"));
    }

    @Test
    void aColourImageForAGreyClassifierNeedsGrayscale() throws Exception {
        org.nd4j.linalg.api.ndarray.INDArray rgb = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 4, 4);
        rgb.putScalar(0, 1, 1, 1.0);   // one red pixel
        org.acejvm.core.io.Images.write(rgb, dir.resolve("red.png"));
        org.acejvm.core.io.Images.write(org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 4, 4).muli(0.5),
                dir.resolve("greyAsRgb.png"));
        org.acejvm.core.ImageSpec grey = new org.acejvm.core.ImageSpec(1, 4, 4);
        assertThatThrownBy(() -> ImageFiles.read(List.of(dir.resolve("red.png")), grey, false, false, "--image"))
                .isInstanceOf(org.acejvm.core.InvalidInputException.class).hasMessageContaining("--grayscale");
        assertThat(ImageFiles.read(List.of(dir.resolve("red.png")), grey, false, true, "--image").shape()).containsExactly(1, 1, 4, 4);
        // grey stored as RGB is read exactly, without the option
        assertThat(ImageFiles.read(List.of(dir.resolve("greyAsRgb.png")), grey, false, false, "--image").getFloat(0, 0, 2, 2))
                .isEqualTo(128 / 255f);
    }

    @Test
    void anEmptyFolderOrAPatternWithoutMatchesIsAnError() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> ImageFiles.expand(List.of(empty), "--image"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("no PNG or JPEG files in folder");
        assertThatThrownBy(() -> ImageFiles.expand(List.of(dir.resolve("*.jpeg")), "--image"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("no file matches");
    }
}
