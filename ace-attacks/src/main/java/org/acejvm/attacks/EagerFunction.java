package org.acejvm.attacks;

import java.util.Map;
import org.acejvm.core.graph.DifferentiableGraph;
import org.acejvm.core.graph.GraphFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A single-input, single-output {@link GraphFunction} evaluated outside any attack graph (a decoder's final image,
 * an encoder's start codes). Its graph is built on the first call, from that input's per-sample shape, and reused.
 */
final class EagerFunction {
    private static final String INPUT = "input";
    private static final String OUTPUT = "output";

    private final GraphFunction function;
    private final String callName;
    private DifferentiableGraph graph; // guarded by this

    EagerFunction(GraphFunction function, String callName) {
        this.function = function;
        this.callName = callName;
    }

    synchronized INDArray apply(INDArray input) {
        INDArray in = input.castTo(DataType.FLOAT);
        if (graph == null) {
            SameDiff sd = SameDiff.create();
            long[] one = in.shape().clone();
            one[0] = 1;
            SDVariable x = sd.var(INPUT, Nd4j.zeros(DataType.FLOAT, one));
            SDVariable out = sd.identity(OUTPUT, function.call1(sd, callName, x));
            graph = new DifferentiableGraph(sd, x, out.sum());
        }
        return graph.forward(in, Map.of(), OUTPUT).get(OUTPUT);
    }
}
