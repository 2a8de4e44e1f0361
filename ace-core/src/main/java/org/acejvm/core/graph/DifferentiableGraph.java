package org.acejvm.core.graph;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.acejvm.core.ImageSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff graph with one input image batch and one scalar loss, run as one forward and one backward pass.
 *
 * <p>SameDiff 1.0.0-M2.1 only differentiates with respect to VARIABLEs, so the input is a variable whose array is
 * re-bound on every call (its batch size may change between calls); all weights are constants, so the backward pass
 * computes only what the input gradient needs. Other per-call values (noise, targets) are placeholders.
 *
 * <p>Runs through its {@link GraphExecutor}, which serialises the calls on one instance (SameDiff's gradient sessions
 * share state).
 */
public final class DifferentiableGraph {
    private final GraphExecutor executor;
    private final SDVariable input;
    private final SDVariable loss;

    public DifferentiableGraph(SameDiff sd, SDVariable input, SDVariable loss) {
        if (input.getVariableType() != VariableType.VARIABLE) {
            throw new IllegalArgumentException("input '" + input.name() + "' must be created with inputVariable(...), got "
                    + input.getVariableType());
        }
        this.executor = GraphEngine.current().executor(sd);
        this.input = input;
        this.loss = loss;
    }

    /** Creates the re-bindable input variable of a graph (float32, NCHW, batch of one until bound). */
    public static SDVariable inputVariable(SameDiff sd, String name, ImageSpec spec) {
        return sd.var(name, Nd4j.zeros(DataType.FLOAT, spec.batchShape(1)));
    }

    public String inputName() { return input.name(); }

    public String lossName() { return loss.name(); }

    /** Outputs and the gradient of the loss with respect to the input, from one forward and one backward pass. */
    public Result forwardBackward(INDArray x, Map<String, INDArray> placeholders, List<String> outputs) {
        GraphExecutor.Gradient r = executor.forwardBackward(feed(x, placeholders), outputs, loss.name(), input.name());
        return new Result(r.outputs(), r.gradient());
    }

    /** Forward pass only. */
    public Map<String, INDArray> forward(INDArray x, Map<String, INDArray> placeholders, String... outputs) {
        return executor.forward(feed(x, placeholders), List.of(outputs));
    }

    private Map<String, INDArray> feed(INDArray x, Map<String, INDArray> placeholders) {
        Map<String, INDArray> feed = new HashMap<>(placeholders);
        feed.put(input.name(), x);
        return feed;
    }

    /** Named outputs and the input gradient of one pass. */
    public record Result(Map<String, INDArray> outputs, INDArray gradient) {
        public INDArray output(String name) {
            INDArray a = outputs.get(name);
            if (a == null) throw new IllegalArgumentException("no output '" + name + "' in " + outputs.keySet());
            return a;
        }
    }
}
