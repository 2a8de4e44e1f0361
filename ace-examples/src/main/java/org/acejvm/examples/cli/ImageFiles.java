package org.acejvm.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.io.Images;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Image files as one NCHW batch of the classifier's size. */
final class ImageFiles {
    private ImageFiles() {}

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
