package org.acejvm.metrics;

import java.util.function.Function;
import org.acejvm.core.Checks;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A feature network for FID/sFID or an embedding network for FS/FVA/S3: [0, 1] NCHW images in, one feature vector
 * per image out, shape [N, D].
 *
 * <p>Implementations: {@link SameDiffFeatures} (any SameDiff graph or {@link org.acejvm.core.graph.GraphFunction}
 * with a named feature output, e.g. the penultimate layer of a classifier, imported from ONNX or built in SameDiff)
 * and {@link #of(String, Function)} for a plain function.
 */
public interface FeatureExtractor {

    /** Features [N, D] of the images [N, C, H, W] (trailing dimensions of a network output are flattened). */
    INDArray features(INDArray images);

    /** A short description for logs and result tables. */
    default String name() { return getClass().getSimpleName(); }

    /** Wraps a plain function (tests, or features computed by other means); its output is flattened to [N, D]. */
    static FeatureExtractor of(String name, Function<INDArray, INDArray> function) {
        Checks.notNull(name, "name");
        Checks.notNull(function, "function");
        return new FeatureExtractor() {
            @Override public INDArray features(INDArray images) {
                Checks.rank(images, 4, "images");
                INDArray out = function.apply(images);
                return flatten(out, images.size(0), name);
            }
            @Override public String name() { return name; }
        };
    }

    /** Reshapes a network output [N, ...] to [N, D], checking the batch dimension. */
    static INDArray flatten(INDArray out, long n, String what) {
        if (out == null || out.rank() < 1 || out.size(0) != n) {
            throw new ModelFormatException(what + ": expected an output with batch dimension " + n + ", got "
                    + (out == null ? "null" : java.util.Arrays.toString(out.shape())));
        }
        return out.rank() == 2 ? out : out.reshape('c', n, out.length() / n);
    }
}
