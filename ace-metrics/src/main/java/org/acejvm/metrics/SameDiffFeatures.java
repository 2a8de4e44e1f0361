package org.acejvm.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.acejvm.core.Checks;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.Preprocessing;
import org.acejvm.core.graph.GraphExecutor;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.core.graph.SameDiffExecutor;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Features from a SameDiff graph: one or more named outputs of a network (the penultimate layer of a classifier, the
 * embedding of a face or SimSiam encoder, the activation maps of a VGG-like network for LPIPS), evaluated forward
 * only, {@code batchSize} images per call. The graph is built once and reused. Calls are serialised.
 *
 * <p>As a {@link FeatureExtractor} the chosen outputs are flattened per image and concatenated; as a
 * {@link FeatureMapExtractor} each output must be [N, C, H, W].
 */
public final class SameDiffFeatures implements FeatureExtractor, FeatureMapExtractor {
    private static final String INPUT = "acejvm_feature_images";

    private final GraphExecutor executor;
    private final String input;
    private final List<String> outputs;
    private final ImageSpec spec;
    private final int batchSize;
    private final String name;

    private SameDiffFeatures(GraphExecutor executor, String input, List<String> outputs, ImageSpec spec, int batchSize, String name) {
        this.executor = executor;
        this.input = input;
        this.outputs = List.copyOf(outputs);
        this.spec = spec;
        this.batchSize = batchSize;
        this.name = name;
    }

    /**
     * Features from outputs of a graph function (translated from ONNX or built in SameDiff).
     *
     * @param network       maps preprocessed NCHW input to its outputs ({@link GraphFunction#outputNames()})
     * @param spec          the per-image input shape
     * @param preprocessing what the network expects [0, 1] images to be turned into
     * @param outputNames   which of the network's outputs to use, in order; none means its first output
     */
    public static SameDiffFeatures of(GraphFunction network, ImageSpec spec, Preprocessing preprocessing,
                                      String... outputNames) {
        Checks.notNull(network, "network");
        Checks.notNull(spec, "spec");
        Checks.notNull(preprocessing, "preprocessing");
        if (preprocessing.channels() != spec.channels()) {
            throw new InvalidInputException.Mismatch("preprocessing has " + preprocessing.channels()
                    + " channels but the input spec has " + spec.channels());
        }
        List<String> available = network.outputNames();
        List<String> wanted = outputNames.length == 0 ? List.of(available.get(0)) : Arrays.asList(outputNames);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, spec.channels(), spec.height(), spec.width());
        SDVariable[] outs = network.call(sd, "features", preprocessing.apply(sd, "features_pre", x));
        if (outs.length != available.size()) {
            throw new ModelFormatException("network declares outputs " + available + " but returned " + outs.length);
        }
        List<String> names = new ArrayList<>();
        for (String w : wanted) {
            int index = available.indexOf(w);
            if (index < 0) throw new InvalidInputException("no output '" + w + "' in " + available);
            String id = "acejvm_feature_" + names.size();
            sd.identity(id, outs[index]);
            names.add(id);
        }
        return new SameDiffFeatures(executor(sd), INPUT, names, spec, 64, String.join("+", wanted));
    }

    /**
     * Features from an existing SameDiff graph (e.g. one imported from ONNX): {@code inputPlaceholder} receives the
     * [0, 1] images as they are (the graph holds any preprocessing); {@code outputVariables} name the features.
     *
     * @param spec the per-image input shape to check, or null to accept any [N, C, H, W]
     */
    public static SameDiffFeatures fromSameDiff(SameDiff sd, String inputPlaceholder, ImageSpec spec,
                                                String... outputVariables) {
        Checks.notNull(sd, "sd");
        Checks.notNull(inputPlaceholder, "inputPlaceholder");
        if (!sd.hasVariable(inputPlaceholder) || sd.getVariable(inputPlaceholder).getVariableType() != VariableType.PLACEHOLDER) {
            throw new InvalidInputException("no placeholder '" + inputPlaceholder + "' in the graph");
        }
        if (outputVariables.length == 0) throw new InvalidInputException("name at least one output variable");
        for (String o : outputVariables) {
            if (!sd.hasVariable(o)) throw new InvalidInputException("no variable '" + o + "' in the graph");
        }
        return new SameDiffFeatures(executor(sd), inputPlaceholder, Arrays.asList(outputVariables), spec, 64,
                String.join("+", outputVariables));
    }

    /** A copy that evaluates {@code batchSize} images per graph call (same graph). */
    public SameDiffFeatures batchSize(int batchSize) {
        Checks.positive(batchSize, "batchSize");
        return new SameDiffFeatures(executor, input, outputs, spec, batchSize, name);
    }

    /**
     * With SameDiff's own session memory, as these forward-only graphs have always run: an arena would keep a whole
     * call's intermediates (large for feature networks) allocated between calls.
     */
    private static GraphExecutor executor(SameDiff sd) { return new SameDiffExecutor(sd, SameDiffExecutor.Memory.SESSION); }

    @Override public String name() { return name; }

    @Override
    public INDArray features(INDArray images) {
        List<INDArray> maps = run(images);
        long n = images.size(0);
        INDArray[] flat = new INDArray[maps.size()];
        for (int i = 0; i < flat.length; i++) flat[i] = FeatureExtractor.flatten(maps.get(i), n, name);
        return flat.length == 1 ? flat[0] : Nd4j.hstack(flat);
    }

    @Override
    public List<INDArray> featureMaps(INDArray images) {
        List<INDArray> maps = run(images);
        for (INDArray m : maps) {
            if (m.rank() != 4) {
                throw new ModelFormatException(name + ": expected feature maps [N, C, H, W], got " + Arrays.toString(m.shape()));
            }
        }
        return maps;
    }

    /** All outputs for all images, chunk by chunk, concatenated along the batch. */
    private synchronized List<INDArray> run(INDArray images) {
        Checks.images(images, spec, "images");
        long n = images.size(0);
        List<List<INDArray>> parts = new ArrayList<>();
        for (String ignored : outputs) parts.add(new ArrayList<>());
        for (long from = 0; from < n; from += batchSize) {
            long to = Math.min(n, from + batchSize);
            INDArray chunk = (from == 0 && to == n) ? images
                    : images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
            Map<String, INDArray> out = executor.forward(Map.of(input, chunk.castTo(DataType.FLOAT)), outputs);
            for (int i = 0; i < outputs.size(); i++) {
                INDArray o = out.get(outputs.get(i));
                if (o == null || o.rank() < 1 || o.size(0) != to - from) {
                    throw new ModelFormatException(name + ": output '" + outputs.get(i) + "' has shape "
                            + (o == null ? "null" : Arrays.toString(o.shape())) + " for a batch of " + (to - from));
                }
                parts.get(i).add(o);
            }
        }
        List<INDArray> result = new ArrayList<>();
        for (List<INDArray> p : parts) result.add(p.size() == 1 ? p.get(0) : Nd4j.concat(0, p.toArray(new INDArray[0])));
        return result;
    }
}
