package org.acejvm.core;

import org.acejvm.core.graph.GraphFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A classifier whose computation is a SameDiff graph that other modules can chain with theirs (a diffusion filter,
 * a loss) and differentiate with respect to the input image.
 */
public interface DifferentiableClassifier extends Classifier {

    /**
     * The classifier as a graph function from [0, 1] images (preprocessing included) to logits. One input, one output.
     */
    GraphFunction graph();

    /**
     * Gradient with respect to the images of {@code sum(logits * upstream)}; {@code upstream} has the shape of the
     * logits.
     */
    INDArray inputGradient(INDArray images, INDArray upstream);
}
