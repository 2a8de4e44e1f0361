package org.acejvm.core.graph;

import com.google.common.collect.ImmutableMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weights of one network, added to a SameDiff graph on first use and shared by every later call in that graph.
 *
 * <p>Frozen weights become SameDiff constants, so a backward pass computes only what the input gradient needs;
 * trainable weights become variables (for training programs).
 */
public final class Weights {
    private final String namespace;
    private final ImmutableMap<String, INDArray> arrays;
    private final boolean trainable;

    public Weights(String namespace, Map<String, INDArray> arrays, boolean trainable) {
        this.namespace = namespace;
        this.arrays = ImmutableMap.copyOf(arrays);
        this.trainable = trainable;
    }

    public static Weights frozen(String namespace, Map<String, INDArray> arrays) {
        return new Weights(namespace, arrays, false);
    }

    public String namespace() { return namespace; }

    public Map<String, INDArray> arrays() { return arrays; }

    public boolean trainable() { return trainable; }

    public boolean contains(String name) { return arrays.containsKey(name); }

    public INDArray array(String name) {
        INDArray a = arrays.get(name);
        if (a == null) throw new IllegalArgumentException("no weight named '" + name + "' in " + namespace);
        return a;
    }

    /** The graph variable for weight {@code name}, created in {@code sd} the first time it is asked for. */
    public SDVariable get(SameDiff sd, String name) {
        return variable(sd, name, array(name));
    }

    /**
     * A derived constant (e.g. a transposed or reshaped copy of a weight), also created once per graph and shared.
     * Only for frozen weights: a derived copy of a trainable weight would not train.
     */
    public SDVariable derived(SameDiff sd, String name, java.util.function.Supplier<INDArray> compute) {
        String full = namespace + "/" + name;
        if (sd.hasVariable(full)) return sd.getVariable(full);
        if (trainable) throw new IllegalStateException("derived weight '" + name + "' requested on trainable weights " + namespace);
        return sd.constant(full, compute.get());
    }

    private SDVariable variable(SameDiff sd, String name, INDArray value) {
        String full = namespace + "/" + name;
        if (sd.hasVariable(full)) return sd.getVariable(full);
        return trainable ? sd.var(full, value) : sd.constant(full, value);
    }
}
