package org.acejvm.core;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An image classifier. Callers always pass NCHW float32 images in [0, 1]; any normalisation the model needs
 * (mean/std, channel order) is held inside the implementation.
 *
 * <p>A binary classifier may have a single logit z (probability of class 1 is sigmoid(z)); then
 * {@link #numClasses()} is 2 and {@link #logits} returns shape [N, 1].
 */
public interface Classifier {

    /** The per-sample input shape. */
    ImageSpec inputSpec();

    /** Number of classes (2 for a single-logit binary classifier). */
    int numClasses();

    /** True for a binary classifier with one logit. */
    boolean singleLogit();

    /** Raw logits, shape [N, numClasses] or [N, 1] for single-logit classifiers. */
    INDArray logits(INDArray images);

    /** Class probabilities, shape [N, numClasses], for both kinds of classifier. */
    default INDArray probabilities(INDArray images) {
        return probabilitiesFromLogits(logits(images), singleLogit());
    }

    /** The predicted class of each image. */
    default int[] predict(INDArray images) {
        return probabilities(images).argMax(1).toIntVector();
    }

    /** Softmax, or [1 - sigmoid, sigmoid] for a single logit. */
    static INDArray probabilitiesFromLogits(INDArray logits, boolean singleLogit) {
        if (singleLogit) {
            INDArray p1 = Transforms.sigmoid(logits, true);
            return Nd4j.hstack(p1.rsub(1.0), p1);
        }
        INDArray shifted = logits.subColumnVector(logits.max(1).reshape(logits.size(0), 1));
        INDArray e = Transforms.exp(shifted, false);
        return e.divColumnVector(e.sum(1).reshape(e.size(0), 1));
    }
}
