package org.acejvm.core.graph;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A differentiable function that can be added to a SameDiff graph any number of times. Every call in the same
 * {@link SameDiff} shares one set of weights (see {@link Weights}), so a graph holding S UNet calls and a classifier
 * has one copy of each network and one backward pass gives the gradient with respect to the input.
 *
 * <p>Implementations: networks translated from ONNX, hand-built SameDiff networks, and compositions such as the
 * diffusion filter.
 */
public interface GraphFunction {

    /**
     * Adds one call of this function to {@code sd}.
     *
     * @param sd       the graph to add to
     * @param callName a name unique within {@code sd} for this call; its ops are named under it
     * @param inputs   the inputs, in the order of {@link #inputNames()}
     * @return the outputs, in the order of {@link #outputNames()}
     */
    SDVariable[] call(SameDiff sd, String callName, SDVariable... inputs);

    /** Names of the inputs, in call order (for error messages and documentation). */
    java.util.List<String> inputNames();

    /** Names of the outputs, in return order. */
    java.util.List<String> outputNames();

    /** Convenience for single-output functions. */
    default SDVariable call1(SameDiff sd, String callName, SDVariable... inputs) {
        SDVariable[] out = call(sd, callName, inputs);
        if (out.length != 1) {
            throw new IllegalStateException("call1 on a function with " + out.length + " outputs: " + outputNames());
        }
        return out[0];
    }
}
