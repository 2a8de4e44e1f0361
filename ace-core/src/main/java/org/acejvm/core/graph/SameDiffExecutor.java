package org.acejvm.core.graph;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link GraphExecutor} on SameDiff 1.0.0-M2.1.
 *
 * <p>Feed entries naming a VARIABLE are bound to it (SameDiff only differentiates with respect to variables, so a
 * differentiated input is a variable re-bound on every call); the others are placeholders. Calls on one instance
 * are serialised: SameDiff's sessions and gradient function share state.
 */
public final class SameDiffExecutor implements GraphExecutor {
    /** Where a call's intermediate arrays come from. */
    public enum Memory {
        /** {@link ArenaMemory}: allocated on the first call of a batch size and reused by the next ones. */
        ARENA,
        /** SameDiff's own session memory manager (graphs that are run once, or that have always used it). */
        SESSION
    }

    private static final Object STDOUT_LOCK = new Object();

    private final SameDiff sd;
    private final Memory memory;
    private String gradientLoss; // guarded by this
    private String gradientInput; // guarded by this

    public SameDiffExecutor(SameDiff sd, Memory memory) {
        this.sd = sd;
        this.memory = memory;
    }

    /** An executor with {@link Memory#ARENA}. */
    public SameDiffExecutor(SameDiff sd) { this(sd, Memory.ARENA); }

    @Override
    public synchronized Map<String, INDArray> forward(Map<String, INDArray> feed, List<String> outputs) {
        Map<String, INDArray> placeholders = bind(feed);
        resetMemory();
        return copies(sd.output(placeholders, outputs.toArray(new String[0])));
    }

    @Override
    public synchronized Gradient forwardBackward(Map<String, INDArray> feed, List<String> outputs, String loss, String wrt) {
        ensureGradFunction(loss, wrt);
        Map<String, INDArray> placeholders = bind(feed);
        resetMemory();
        List<String> outs = new ArrayList<>(outputs);
        if (!outs.contains(loss)) outs.add(loss);
        OutAndGrad r = sd.calculateGradientsAndOutputs(placeholders, outs, List.of(wrt));
        return new Gradient(copies(r.getOutputs()), r.getGradients().get(wrt).dup());
    }

    /** Binds the feed's variables and returns its placeholders. */
    private Map<String, INDArray> bind(Map<String, INDArray> feed) {
        Map<String, INDArray> placeholders = new HashMap<>();
        feed.forEach((name, value) -> {
            SDVariable v = sd.getVariable(name);
            if (v != null && v.getVariableType() == VariableType.VARIABLE) bind(v, value);
            else placeholders.put(name, value);
        });
        return placeholders;
    }

    /**
     * Binds {@code x} to a variable without ever aliasing the caller's array. In SameDiff 1.0.0-M2.1,
     * {@code SDVariable.setArray} on a VARIABLE that already holds an array of the same shape ASSIGNS the new values
     * into that array; had the variable adopted a caller's array, the next call would overwrite the caller's data.
     */
    private static void bind(SDVariable v, INDArray x) {
        INDArray current = v.getArr();
        if (current != null && current.dataType() == x.dataType() && Arrays.equals(current.shape(), x.shape())) {
            current.assign(x);
        } else {
            v.setArray(x.dup());
        }
    }

    private void resetMemory() {
        if (memory == Memory.ARENA) ArenaMemory.resetFor(sd);
    }

    /** The outputs live in the call's memory, which the next call reuses: the caller gets copies. */
    private static Map<String, INDArray> copies(Map<String, INDArray> out) {
        Map<String, INDArray> copied = new HashMap<>();
        out.forEach((k, v) -> copied.put(k, v.dup()));
        return copied;
    }

    /** Builds the gradient function once; SameDiff prints a line per op while doing so, which is silenced here. */
    private void ensureGradFunction(String loss, String wrt) {
        if (gradientLoss != null) {
            if (!gradientLoss.equals(loss) || !gradientInput.equals(wrt)) {
                throw new IllegalStateException("this graph differentiates " + gradientLoss + " with respect to " + gradientInput
                        + ", not " + loss + " with respect to " + wrt);
            }
            return;
        }
        sd.setLossVariables(loss);
        if (!sd.hasGradientFunction()) {
            synchronized (STDOUT_LOCK) {
                PrintStream saved = System.out;
                System.setOut(new PrintStream(OutputStream.nullOutputStream()));
                try {
                    sd.createGradFunction(wrt);
                } finally {
                    System.setOut(saved);
                }
            }
        }
        gradientLoss = loss;
        gradientInput = wrt;
    }
}
