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
import org.nd4j.linalg.indexing.NDArrayIndex;

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

    /**
     * Reads {@code files}; an image of another size fails unless {@code resize}, a colour image for a grey classifier
     * unless {@code grayscale} (grey images stored as RGB, r = g = b, are read exactly either way; grey images for a
     * colour classifier are repeated into its 3 channels, which loses nothing). {@code option} names the source in
     * errors.
     */
    static INDArray read(List<Path> files, ImageSpec spec, boolean resize, boolean grayscale, String option) {
        if (files.isEmpty()) throw new ModelFormatException(option + ": no image files");
        List<INDArray> list = new ArrayList<>();
        for (Path p : files) {
            ModelOptions.requireFile(p, option);
            INDArray x = Images.read(p, spec.channels() == 1 && !grayscale ? 3 : spec.channels());
            if (x.size(1) != spec.channels()) {
                INDArray r = x.get(NDArrayIndex.all(), NDArrayIndex.point(0)), g = x.get(NDArrayIndex.all(), NDArrayIndex.point(1)),
                        b = x.get(NDArrayIndex.all(), NDArrayIndex.point(2));
                if (!r.equals(g) || !g.equals(b)) {
                    throw new InvalidInputException.Shape(p + ": a colour image, and the classifier takes grey images "
                            + "(add --grayscale to convert it, ITU-R BT.601 luma)");
                }
                x = r.reshape(1, 1, x.size(2), x.size(3)).dup();
            }
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
