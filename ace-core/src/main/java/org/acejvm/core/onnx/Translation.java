package org.acejvm.core.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import onnx.Onnx;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.graph.SameDiffExecutor;
import org.acejvm.core.graph.Weights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One pass over the ONNX nodes that adds a call of the graph to a SameDiff instance. Nodes whose inputs are all
 * known at import are evaluated once per model (constant folding) and remembered in {@link Shared}; shape
 * subgraphs are evaluated symbolically ({@link Value.Sym}); everything else becomes SameDiff ops named
 * {@code callName/<onnx tensor name>}.
 */
final class Translation {

    /** Per-model state shared by every call and every SameDiff: weights and import-time results. */
    static final class Shared {
        final Weights weights;
        final Map<String, String> initializerKeys;
        final Map<String, INDArray> derived = new ConcurrentHashMap<>();
        final Map<String, List<Value>> folded = new ConcurrentHashMap<>();
        final OnnxModel.ConstantLimits limits;
        /** Bytes of the import-time constants computed so far (checked against limits.maxTotalBytes). */
        final AtomicLong constantBytes = new AtomicLong();

        Shared(Weights weights, Map<String, String> initializerKeys, OnnxModel.ConstantLimits limits) {
            this.weights = weights;
            this.initializerKeys = initializerKeys;
            this.limits = limits;
        }
    }

    /** The outputs of one call, with their import-time shapes. */
    record Result(SDVariable[] outputs, Dim[][] shapes) {}

    final OnnxGraph graph;
    final OpRegistry registry;
    final SameDiff sd;
    final String callName;
    final DataType floatType;
    private final Shared shared;
    private final Map<String, Value> values = new HashMap<>();
    /** Zero arrays of one call, by shape, that broadcasting products widen their small operand on (see NodeContext.broadcastMul). */
    private final Map<String, SDVariable> zeros = new HashMap<>();

    Translation(OnnxGraph graph, OpRegistry registry, SameDiff sd, String callName, DataType floatType, Shared shared) {
        this.graph = graph;
        this.registry = registry;
        this.sd = sd;
        this.callName = callName;
        this.floatType = floatType;
        this.shared = shared;
    }

    Result run(SDVariable[] inputs) {
        for (int i = 0; i < graph.inputs.size(); i++) {
            OnnxGraph.Port p = graph.inputs.get(i);
            values.put(p.name(), new Value.Dyn(inputs[i], p.shape()));
        }
        graph.initializers.forEach((name, arr) -> values.put(name, new Value.Const(arr, name)));
        for (Onnx.NodeProto node : graph.nodes) step(node);

        SDVariable[] outs = new SDVariable[graph.outputs.size()];
        Dim[][] shapes = new Dim[outs.length][];
        for (int i = 0; i < outs.length; i++) {
            String name = graph.outputs.get(i);
            Value v = values.get(name);
            if (v == null) {
                // OnnxGraph checked some node lists it; only a node's extra output is left unproduced
                throw new ModelFormatException(graph.source + ": graph output '" + name
                        + "' is an extra output of a node that the translator does not produce (e.g. a Dropout mask)");
            }
            shapes[i] = v.shape();
            if (v instanceof Value.Dyn d) {
                SDVariable var = d.var();
                outs[i] = var.name().startsWith(callName + "/") ? var : sd.identity(uniqueName(name), var);
            } else if (v instanceof Value.Const c) {
                outs[i] = constantVar(c);
            } else {
                throw new ModelFormatException(graph.source + ": graph output '" + name + "' is a shape value " + v);
            }
        }
        return new Result(outs, shapes);
    }

    private void step(Onnx.NodeProto node) {
        List<Value> ins = new ArrayList<>(node.getInputCount());
        boolean allConst = node.getInputCount() > 0;
        for (String name : node.getInputList()) {
            Value v = name.isEmpty() ? null : values.get(name);
            if (!name.isEmpty() && v == null) {
                throw new UnsupportedOperatorException(node.getOpType(), node.getName(), graph.opset,
                        "input '" + name + "' is an output the translator does not produce (e.g. a Dropout mask)");
            }
            if (v != null && !(v instanceof Value.Const)) allConst = false;
            ins.add(v);
        }
        String key = node.getOutput(0);
        List<Value> outs = shared.folded.get(key);
        if (outs == null) {
            OpRegistry.Entry entry = registry.get(node.getOpType());
            try {
                outs = entry.foldConstants() && allConst ? fold(node, ins, entry.mapper())
                        : entry.mapper().map(new NodeContext(this, node, ins, sd));
            } catch (UnsupportedOperatorException e) {
                throw e;
            } catch (ShapeException e) {
                throw new ModelFormatException(where(node) + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                if (e instanceof ModelFormatException || e instanceof InvalidInputException) throw e;
                throw new ModelFormatException(where(node) + ": translation failed: " + e, e);
            }
            if (outs.size() > node.getOutputCount()) throw new IllegalStateException(where(node) + " mapped to too many outputs");
            List<Value> named = new ArrayList<>(outs.size());
            boolean anyDyn = false;
            for (int k = 0; k < outs.size(); k++) {
                Value v = outs.get(k);
                if (v instanceof Value.Const c && c.key() == null) v = new Value.Const(c.array(), node.getOutput(k));
                anyDyn |= v instanceof Value.Dyn;
                named.add(v);
            }
            outs = named;
            if (!anyDyn) shared.folded.put(key, outs);
        }
        for (int k = 0; k < outs.size(); k++) {
            if (!node.getOutput(k).isEmpty()) values.put(node.getOutput(k), outs.get(k));
        }
    }

    /** Evaluates a node whose inputs are all constants, by running its mapper on a scratch graph. */
    private List<Value> fold(Onnx.NodeProto node, List<Value> ins, OpMapper mapper) {
        SameDiff scratch = SameDiff.create();
        Translation sub = new Translation(graph, registry, scratch, "fold", floatType, shared);
        List<Value> outs = mapper.map(new NodeContext(sub, node, ins, scratch));
        List<String> names = new ArrayList<>();
        for (Value v : outs) {
            if (v instanceof Value.Dyn d) {
                DataType type = d.var().dataType();
                reserveConstant(node, Shapes.values(d.shape()), type == null ? DataType.DOUBLE : type);
                names.add(d.var().name());
            }
        }
        Map<String, INDArray> computed = names.isEmpty() ? Map.of()
                : new SameDiffExecutor(scratch, SameDiffExecutor.Memory.SESSION).forward(Map.of(), names);
        List<Value> result = new ArrayList<>(outs.size());
        for (int k = 0; k < outs.size(); k++) {
            Value v = outs.get(k);
            result.add(v instanceof Value.Dyn d ? new Value.Const(computed.get(d.var().name()), node.getOutput(k)) : v);
        }
        return result;
    }

    /**
     * Counts an import-time constant of {@code shape} against the model's {@link OnnxModel.ConstantLimits} before it
     * is allocated: a tiny file can declare any shape (ConstantOfShape [2^40, 2^40]), so the size is computed with
     * overflow checks and refused with {@link InvalidInputException.TooLarge}.
     */
    void reserveConstant(Onnx.NodeProto node, long[] shape, DataType type) {
        long bytes = Math.max(1, type.width());
        boolean empty = false;
        for (long d : shape) {
            if (d < 0) throw new ModelFormatException(where(node) + ": negative dimension in constant shape " + java.util.Arrays.toString(shape));
            empty |= d == 0;
        }
        for (long d : shape) bytes = empty ? 0 : d != 0 && bytes > Long.MAX_VALUE / d ? Long.MAX_VALUE : bytes * d;
        OnnxModel.ConstantLimits limits = shared.limits;
        String size = "a constant of shape " + java.util.Arrays.toString(shape) + " " + type + " ("
                + (bytes == Long.MAX_VALUE ? "more than 2^63 bytes" : bytes + " bytes") + ")";
        if (bytes > limits.maxBytes()) {
            throw new InvalidInputException.TooLarge(where(node) + ": " + size + " is over the limit of " + limits.maxBytes()
                    + " bytes per folded constant (set with -D" + OnnxModel.ConstantLimits.MAX_BYTES_PROPERTY
                    + "=N or OnnxModel.load(file, ConstantLimits))", limits.maxBytes());
        }
        long total = shared.constantBytes.addAndGet(bytes);
        if (total > limits.maxTotalBytes()) {
            throw new InvalidInputException.TooLarge(where(node) + ": " + size + " brings the folded constants to " + total
                    + " bytes, over the limit of " + limits.maxTotalBytes() + " bytes in all (set with -D"
                    + OnnxModel.ConstantLimits.MAX_TOTAL_BYTES_PROPERTY + "=N or OnnxModel.load(file, ConstantLimits))",
                    limits.maxTotalBytes());
        }
    }

    private String where(Onnx.NodeProto node) {
        return graph.source + ": node '" + node.getName() + "' (" + node.getOpType() + ", opset " + graph.opset + ")";
    }

    // ---- constants and names ----

    SDVariable constantVar(Value.Const c) {
        String init = c.key() == null ? null : shared.initializerKeys.get(c.key());
        if (init != null) return shared.weights.get(sd, init);
        if (c.key() == null) return sd.constant(uniqueName("const"), castFloat(c.array()));
        return sharedVar("const:" + c.key(), c::array);
    }

    SDVariable sharedVar(String key, Supplier<INDArray> compute) {
        INDArray arr = shared.derived.computeIfAbsent(key, k -> castFloat(compute.get()));
        return shared.weights.derived(sd, sanitize(key), () -> arr);
    }

    INDArray castFloat(INDArray a) {
        return a.dataType().isFPType() && a.dataType() != floatType ? a.castTo(floatType) : a;
    }

    /** A zero array of {@code shape} (the shape of {@code like}), created once per call and shape. */
    SDVariable zeros(Dim[] shape, SDVariable like) {
        return zeros.computeIfAbsent(java.util.Arrays.toString(shape), k -> {
            SDVariable shapeOf = sd.shape(uniqueName("zeros_shape"), like);
            return sd.fill(uniqueName("zeros"), shapeOf, like.dataType(), 0.0);
        });
    }

    String uniqueName(String onnxName) {
        String base = callName + "/" + sanitize(onnxName);
        String name = base;
        for (int i = 2; sd.hasVariable(name); i++) name = base + "_" + i;
        return name;
    }

    static String sanitize(String onnxName) {
        String s = onnxName.replaceAll("[^A-Za-z0-9_./-]", "_");
        while (s.startsWith("/")) s = s.substring(1);
        return s.isEmpty() ? "t" : s;
    }
}
