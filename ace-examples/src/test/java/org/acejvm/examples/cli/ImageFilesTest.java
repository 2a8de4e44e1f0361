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
    void anEmptyFolderOrAPatternWithoutMatchesIsAnError() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> ImageFiles.expand(List.of(empty), "--image"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("no PNG or JPEG files in folder");
        assertThatThrownBy(() -> ImageFiles.expand(List.of(dir.resolve("*.jpeg")), "--image"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("no file matches");
    }
}
