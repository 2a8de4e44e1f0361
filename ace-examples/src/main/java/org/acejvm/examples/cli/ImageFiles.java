package org.acejvm.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.io.Images;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Image files as one NCHW batch of the classifier's size. */
final class ImageFiles {
    private ImageFiles() {}

    /**
     * The image files {@code given} names: a folder stands for the PNG and JPEG files in it (sorted by name), a name
     * with {@code *}, {@code ?} or {@code [...]} for the files of its folder that match it (the shell usually expands
     * these first; quoted, they reach here), anything else for itself.
     */
    static List<Path> expand(List<Path> given, String option) {
        List<Path> out = new ArrayList<>();
        for (Path p : given) {
            String name = p.getFileName() == null ? "" : p.getFileName().toString();
            if (Files.isDirectory(p)) {
                List<Path> found = list(p, "glob:*.{png,PNG,jpg,JPG,jpeg,JPEG}");
                if (found.isEmpty()) throw new ModelFormatException(option + ": no PNG or JPEG files in folder " + p);
                out.addAll(found);
            } else if (name.matches(".*[*?\\[].*")) {
                Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
                List<Path> found = Files.isDirectory(dir) ? list(dir, "glob:" + name) : List.of();
                if (found.isEmpty()) throw new ModelFormatException(option + ": no file matches " + p);
                out.addAll(found);
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static List<Path> list(Path dir, String pattern) {
        PathMatcher m = dir.getFileSystem().getPathMatcher(pattern);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> Files.isRegularFile(f) && m.matches(f.getFileName())).sorted().toList();
        } catch (IOException e) {
            throw new ModelFormatException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    /** Reads {@code files}; an image of another size fails unless {@code resize}. {@code option} names the source in errors. */
    static INDArray read(List<Path> files, ImageSpec spec, boolean resize, String option) {
        if (files.isEmpty()) throw new ModelFormatException(option + ": no image files");
        List<INDArray> list = new ArrayList<>();
        for (Path p : files) {
            ModelOptions.requireFile(p, option);
            INDArray x = Images.read(p, spec.channels());
            if (x.size(2) != spec.height() || x.size(3) != spec.width()) {
                if (!resize) {
                    throw new InvalidInputException.Shape(p + ": image is " + x.size(3) + "x" + x.size(2) + " pixels, the model takes "
                            + spec.width() + "x" + spec.height() + " (use --resize to resize)");
                }
                x = Images.resize(x, spec.height(), spec.width());
            }
            list.add(x);
        }
        return Nd4j.concat(0, list.toArray(INDArray[]::new));
    }
}
