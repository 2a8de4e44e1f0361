package org.acejvm.core.graph;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a built graph: the one place where the library hands a graph to an execution engine, so that another engine
 * can stand behind it without the callers changing. Graphs are named by their values: the feed maps input names to
 * arrays, outputs are asked for by name.
 *
 * <p>Returned arrays belong to the caller: a later call never writes into them, and the executor never keeps or
 * writes into the caller's feed arrays.
 */
public interface GraphExecutor {

    /** The values of {@code outputs} for one evaluation of the graph with the inputs in {@code feed}. */
    Map<String, INDArray> forward(Map<String, INDArray> feed, List<String> outputs);

    /**
     * The values of {@code outputs} and the gradient of the scalar {@code loss} with respect to the input {@code wrt}
     * (whose value is in {@code feed}), from one forward and one backward pass. An executor may fix {@code loss} and
     * {@code wrt} at its first call.
     */
    Gradient forwardBackward(Map<String, INDArray> feed, List<String> outputs, String loss, String wrt);

    /** Named outputs and the input gradient of one pass. */
    record Gradient(Map<String, INDArray> outputs, INDArray gradient) {}
}
