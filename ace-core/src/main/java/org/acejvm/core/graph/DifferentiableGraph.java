package org.acejvm.core.graph;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.acejvm.core.ImageSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
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
 * <p>Not thread-safe by design of SameDiff (gradient sessions share state): use one graph per thread. Calls on one
 * instance are serialised.
 */
public final class DifferentiableGraph {
    private static final Object STDOUT_LOCK = new Object();

    private final SameDiff sd;
    private final SDVariable input;
    private final SDVariable loss;

    public DifferentiableGraph(SameDiff sd, SDVariable input, SDVariable loss) {
        if (input.getVariableType() != VariableType.VARIABLE) {
            throw new IllegalArgumentException("input '" + input.name() + "' must be created with inputVariable(...), got "
                    + input.getVariableType());
        }
        this.sd = sd;
        this.input = input;
        this.loss = loss;
        sd.setLossVariables(loss.name());
    }

    /** Creates the re-bindable input variable of a graph (float32, NCHW, batch of one until bound). */
    public static SDVariable inputVariable(SameDiff sd, String name, ImageSpec spec) {
        return sd.var(name, Nd4j.zeros(DataType.FLOAT, spec.batchShape(1)));
    }

    public SameDiff sameDiff() { return sd; }

    public String inputName() { return input.name(); }

    public String lossName() { return loss.name(); }

    /** Outputs and the gradient of the loss with respect to the input, from one forward and one backward pass. */
    public synchronized Result forwardBackward(INDArray x, Map<String, INDArray> placeholders, List<String> outputs) {
        ensureGradFunction();
        bind(x);
        ArenaMemory.resetFor(sd);
        List<String> outs = new ArrayList<>(outputs);
        if (!outs.contains(loss.name())) outs.add(loss.name());
        OutAndGrad r = sd.calculateGradientsAndOutputs(placeholders, outs, List.of(input.name()));
        Map<String, INDArray> copied = new HashMap<>();
        r.getOutputs().forEach((k, v) -> copied.put(k, v.dup()));
        return new Result(copied, r.getGradients().get(input.name()).dup());
    }

    /** Forward pass only. */
    public synchronized Map<String, INDArray> forward(INDArray x, Map<String, INDArray> placeholders, String... outputs) {
        bind(x);
        ArenaMemory.resetFor(sd);
        Map<String, INDArray> out = sd.output(placeholders, outputs);
        Map<String, INDArray> copied = new HashMap<>();
        out.forEach((k, v) -> copied.put(k, v.dup()));
        return copied;
    }

    /**
     * Binds {@code x} to the input variable without ever aliasing the caller's array. In SameDiff 1.0.0-M2.1,
     * {@code SDVariable.setArray} on a VARIABLE that already holds an array of the same shape ASSIGNS the new values
     * into that array; had the variable adopted a caller's array, the next call would overwrite the caller's data.
     */
    private void bind(INDArray x) {
        INDArray current = input.getArr();
        if (current != null && current.dataType() == x.dataType() && java.util.Arrays.equals(current.shape(), x.shape())) {
            current.assign(x);
        } else {
            input.setArray(x.dup());
        }
    }

    /** Builds the gradient function once; SameDiff prints a line per op while doing so, which is silenced here. */
    private void ensureGradFunction() {
        if (sd.hasGradientFunction()) return;
        synchronized (STDOUT_LOCK) {
            PrintStream saved = System.out;
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                sd.createGradFunction(input.name());
            } finally {
                System.setOut(saved);
            }
        }
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
