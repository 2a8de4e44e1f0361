package org.acejvm.metrics;

import java.util.function.Function;
import org.acejvm.core.Checks;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An attribute oracle for MNAC and CD: [0, 1] NCHW images in, the probability of each of A binary attributes out,
 * shape [N, A] (a multi-label network fine-tuned on the data set's attributes, as in the reference evaluation).
 */
public interface AttributeOracle {

    /** Attribute probabilities [N, A] in [0, 1]. */
    INDArray probabilities(INDArray images);

    /** Wraps a plain function returning probabilities. */
    static AttributeOracle of(Function<INDArray, INDArray> function) {
        Checks.notNull(function, "function");
        return images -> checked(function.apply(images), images.size(0));
    }

    private static INDArray checked(INDArray p, long n) {
        if (p == null || p.rank() != 2 || p.size(0) != n) {
            throw new ModelFormatException("attribute oracle: expected probabilities [" + n + ", A], got "
                    + (p == null ? "null" : java.util.Arrays.toString(p.shape())));
        }
        return p;
    }
}
