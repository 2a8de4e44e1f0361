package org.acejvm.core.onnx;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.acejvm.core.Checks;
import org.acejvm.core.AceException;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.core.graph.Weights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ONNX model (as exported by PyTorch) translated to SameDiff ops by this library's own translator.
 *
 * <p>{@link #call} adds one call of the network to a SameDiff graph; every call in the same graph shares one set of
 * frozen weights (graph constants), so a graph may hold several calls (e.g. the S UNet calls of a diffusion filter)
 * and one backward pass gives the gradient with respect to its inputs. The first dimension of every input is the
 * free batch; every other dimension is fixed at import. Shape subgraphs are folded at import, so a call adds only
 * the ops that compute on data.
 *
 * <p>{@link #load} reads and checks the whole file (external data included) and translates it once into a scratch
 * graph, so a model that loads can be called; a bad file throws {@link ModelFormatException} (an unsupported
 * operator: {@link UnsupportedOperatorException}, naming op type, node and opset), a constant over the
 * {@link ConstantLimits} {@link InvalidInputException.TooLarge}. Thread-safe: calls may come
 * from several threads, each building its own SameDiff.
 */
public final class OnnxModel implements GraphFunction {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxModel.class);

    private final OnnxGraph graph;
    private final OpRegistry registry;
    private final DataType floatType;
    private final String namespace;
    private final ConstantLimits limits;
    private final Translation.Shared shared;
    private final Map<String, long[]> outputShapes = new LinkedHashMap<>();
    private final int opsPerCall;

    /**
     * Limits on the import-time constants the translator computes (folded nodes, ConstantOfShape, Range, ...): a
     * few bytes of ONNX can declare a constant of any size, so each one's size is checked from its shape before it
     * is allocated, and refused with {@link InvalidInputException.TooLarge}. Initializers are not counted (their
     * bytes are in the file).
     *
     * @param maxBytes      bytes of any one folded constant
     * @param maxTotalBytes bytes of all folded constants of the model together
     */
    public record ConstantLimits(long maxBytes, long maxTotalBytes) {
        /** System property overriding the default {@link #maxBytes} (256 MiB). */
        public static final String MAX_BYTES_PROPERTY = "ace.onnx.maxConstantBytes";
        /** System property overriding the default {@link #maxTotalBytes} (1 GiB). */
        public static final String MAX_TOTAL_BYTES_PROPERTY = "ace.onnx.maxTotalConstantBytes";

        public ConstantLimits {
            if (maxBytes < 0 || maxTotalBytes < 0) {
                throw new InvalidInputException.Range("constant limits must not be negative, got " + maxBytes + " and " + maxTotalBytes);
            }
        }

        /** 256 MiB per constant and 1 GiB in all, or the values of the system properties. */
        public static ConstantLimits defaults() {
            return new ConstantLimits(Long.getLong(MAX_BYTES_PROPERTY, 1L << 28), Long.getLong(MAX_TOTAL_BYTES_PROPERTY, 1L << 30));
        }
    }

    private OnnxModel(OnnxGraph graph, OpRegistry registry, DataType floatType, String namespace, ConstantLimits limits) {
        this.graph = graph;
        this.registry = registry;
        this.floatType = floatType;
        this.namespace = namespace;
        this.limits = limits;
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        Map<String, String> keys = new HashMap<>();
        graph.initializers.forEach((name, arr) -> {
            String key = Translation.sanitize(name);
            while (arrays.containsKey(key)) key = key + "_";
            keys.put(name, key);
            arrays.put(key, arr.dataType().isFPType() && arr.dataType() != floatType ? arr.castTo(floatType) : arr);
        });
        this.shared = new Translation.Shared(Weights.frozen(namespace, arrays), keys, limits);

        // translate once into a scratch graph: checks every node, folds constants, computes output shapes
        SameDiff scratch = SameDiff.create();
        SDVariable[] ins = new SDVariable[graph.inputs.size()];
        for (int i = 0; i < ins.length; i++) {
            OnnxGraph.Port p = graph.inputs.get(i);
            DataType dt = OnnxTensors.dataType(p.elemType(), p.name());
            ins[i] = scratch.placeHolder(p.name(), dt.isFPType() ? floatType : dt, Shapes.forReshape(p.shape()));
        }
        int before = scratch.getOps().size();
        Translation.Result r = new Translation(graph, registry, scratch, "check", floatType, shared).run(ins);
        this.opsPerCall = scratch.getOps().size() - before;
        for (int i = 0; i < graph.outputs.size(); i++) {
            try {
                outputShapes.put(graph.outputs.get(i), Shapes.forReshape(r.shapes()[i]));
            } catch (ShapeException e) {
                throw new ModelFormatException(graph.source + ": graph output '" + graph.outputs.get(i) + "': " + e.getMessage()
                        + " (only the first dimension may depend on the batch)", e);
            }
        }
    }

    /**
     * Marks the {@link ModelFormatException} of a model that failed in a way the translator does not check for (a bug
     * of the translator rather than of the file; the fuzz tests treat it as a finding).
     */
    public static final String INTERNAL_ERROR = "internal error of the translator";

    /**
     * Loads, checks and translates an ONNX file, computing in float32. The weights are named
     * {@code onnx/<file or folder name>_<crc32 of the file>/...} in a SameDiff graph, so the same file loaded twice
     * shares one set of weights in a graph and different files never collide.
     */
    public static OnnxModel load(Path file) {
        return load(file, ConstantLimits.defaults());
    }

    /** {@link #load(Path)} with explicit limits on the constants folded at import. */
    public static OnnxModel load(Path file, ConstantLimits limits) {
        OnnxGraph g = OnnxGraph.read(file, OpRegistry.standard());
        String stem = file.getFileName().toString().replaceFirst("\\.onnx$", "");
        Path parent = file.toAbsolutePath().getParent();
        String ns = "onnx/" + (stem.equals("model") && parent != null && parent.getFileName() != null
                ? parent.getFileName().toString() : stem) + "_" + g.checksum;
        return create(g, Translation.sanitize(ns), DataType.FLOAT, limits);
    }

    /**
     * Loads, checks and translates an ONNX model held in memory (a model shipped as bytes, for example to the executors
     * of a cluster run); {@code name} names it in errors and in its weights' namespace. External data is refused: the
     * model must be self-contained.
     */
    public static OnnxModel load(byte[] bytes, String name) {
        return load(bytes, name, ConstantLimits.defaults());
    }

    /** {@link #load(byte[], String)} with explicit limits on the constants folded at import. */
    public static OnnxModel load(byte[] bytes, String name, ConstantLimits limits) {
        Checks.notNull(bytes, "bytes");
        Checks.notNull(name, "name");
        Checks.notNull(limits, "limits");
        OnnxGraph g = OnnxGraph.parse(bytes, null, name, OpRegistry.standard());
        return create(g, Translation.sanitize("onnx/" + name.replaceFirst("\\.onnx$", "") + "_" + g.checksum), DataType.FLOAT,
                limits);
    }

    /**
     * @param namespace prefix of the weight constants in a SameDiff graph; two different models used in one graph
     *                  need different namespaces
     * @param floatType FLOAT, or DOUBLE (e.g. for finite-difference checks); float weights are converted
     */
    public static OnnxModel load(Path file, String namespace, DataType floatType) {
        if (floatType != DataType.FLOAT && floatType != DataType.DOUBLE) {
            throw new InvalidInputException.DataType("floatType: expected FLOAT or DOUBLE, got " + floatType);
        }
        return create(OnnxGraph.read(file, OpRegistry.standard()), namespace, floatType, ConstantLimits.defaults());
    }

    private static OnnxModel create(OnnxGraph g, String namespace, DataType floatType, ConstantLimits limits) {
        long t0 = System.nanoTime();
        OnnxModel m;
        try {
            m = new OnnxModel(g, OpRegistry.standard(), floatType, namespace, limits);
        } catch (AceException e) {
            throw e;
        } catch (RuntimeException e) {
            // a model file is untrusted input: whatever the translator failed to check is still a format error
            throw new ModelFormatException(g.source + ": cannot be translated (" + INTERNAL_ERROR + ": " + e + ")", e);
        }
        LOG.debug("loaded {} ({} nodes, opset {}, {} SameDiff ops per call) in {} ms", g.source, g.nodes.size(), g.opset,
                m.opsPerCall, (System.nanoTime() - t0) / 1_000_000);
        return m;
    }

    /** The same model computing in another float type (weights converted; namespace suffixed with the type). */
    public OnnxModel withFloatType(DataType type) {
        if (type == floatType) return this;
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new InvalidInputException.DataType("floatType: expected FLOAT or DOUBLE, got " + type);
        }
        return new OnnxModel(graph, registry, type, namespace + "_" + type.name().toLowerCase(), limits);
    }

    /** The same model with its weights under another namespace (to use two copies in one graph independently). */
    public OnnxModel withNamespace(String ns) {
        return new OnnxModel(graph, registry, floatType, ns, limits);
    }

    @Override
    public SDVariable[] call(SameDiff sd, String callName, SDVariable... inputs) {
        if (inputs.length != graph.inputs.size()) {
            throw new InvalidInputException.Mismatch("ONNX model " + graph.source + " takes " + graph.inputs.size()
                    + " inputs " + inputNames() + ", got " + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) checkInput(graph.inputs.get(i), inputs[i]);
        if (callName == null || callName.isEmpty()) throw new InvalidInputException("callName must not be empty");
        String probe = callName + "/";
        for (String v : sd.variableMap().keySet()) {
            if (v.startsWith(probe)) throw new InvalidInputException("call name '" + callName + "' is already used in this SameDiff");
        }
        SDVariable[] in = inputs.clone();
        for (int i = 0; i < in.length; i++) { // float inputs compute in the model's float type
            OnnxGraph.Port p = graph.inputs.get(i);
            boolean floatPort = OnnxTensors.dataType(p.elemType(), p.name()).isFPType();
            DataType got = in[i].dataType();
            if (floatPort && got != null && got != floatType) {
                in[i] = in[i].castTo(callName + "/" + Translation.sanitize(p.name()) + "_as_" + floatType.name().toLowerCase(), floatType);
            }
        }
        return new Translation(graph, registry, sd, callName, floatType, shared).run(in).outputs();
    }

    private void checkInput(OnnxGraph.Port p, SDVariable v) {
        long[] got;
        try {
            got = v.getShape();
        } catch (RuntimeException e) {
            return; // unknown until run time
        }
        if (got == null) return;
        long[] want = Shapes.forReshape(p.shape());
        boolean ok = got.length == want.length;
        for (int i = 1; ok && i < want.length; i++) ok = got[i] == want[i] || got[i] < 0;
        if (!ok) {
            throw new InvalidInputException.Shape("input '" + p.name() + "' of " + graph.source + ": expected shape "
                    + Arrays.toString(want) + " (-1 = batch), got " + Arrays.toString(got));
        }
    }

    @Override
    public List<String> inputNames() {
        return graph.inputs.stream().map(OnnxGraph.Port::name).toList();
    }

    @Override
    public List<String> outputNames() {
        return graph.outputs;
    }

    /** Shape of an input, -1 for the batch. */
    public long[] inputShape(String name) {
        for (OnnxGraph.Port p : graph.inputs) if (p.name().equals(name)) return Shapes.forReshape(p.shape());
        throw new IllegalArgumentException("no input '" + name + "' in " + inputNames());
    }

    /** Shape of an output, -1 for the batch (or a batch multiple). */
    public long[] outputShape(String name) {
        long[] s = outputShapes.get(name);
        if (s == null) throw new IllegalArgumentException("no output '" + name + "' in " + outputNames());
        return s.clone();
    }

    /** ONNX element type of an input as an ND4J type (FLOAT/DOUBLE inputs compute in {@link #floatType()}). */
    public DataType inputDataType(String name) {
        for (OnnxGraph.Port p : graph.inputs) if (p.name().equals(name)) return OnnxTensors.dataType(p.elemType(), name);
        throw new IllegalArgumentException("no input '" + name + "' in " + inputNames());
    }

    public long opset() { return graph.opset; }

    public String producer() { return graph.producer; }

    public DataType floatType() { return floatType; }

    public String namespace() { return namespace; }

    /** Number of ONNX nodes in the file. */
    public int nodeCount() { return graph.nodes.size(); }

    /** Number of SameDiff ops one call adds (after folding). */
    public int opsPerCall() { return opsPerCall; }

    /** Number of weight arrays (initializers) and their total element count. */
    public long parameterCount() {
        return graph.initializers.values().stream().filter(a -> a.dataType().isFPType()).mapToLong(INDArray::length).sum();
    }

    @Override
    public String toString() {
        return "OnnxModel[" + graph.source + ", opset " + graph.opset + ", inputs " + inputNames() + ", outputs "
                + outputNames() + ", " + graph.nodes.size() + " nodes -> " + opsPerCall + " SameDiff ops per call]";
    }
}
