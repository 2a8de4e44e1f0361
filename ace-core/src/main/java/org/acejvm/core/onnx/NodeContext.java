package org.acejvm.core.onnx;

import java.util.List;
import java.util.function.Supplier;
import onnx.Onnx;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a mapper sees of one ONNX node: its inputs as {@link Value}s, its attributes, names for the SameDiff
 * variables it creates, and shared constants.
 */
final class NodeContext {
    private final Translation translation;
    private final Onnx.NodeProto node;
    private final List<Value> inputs;
    final SameDiff sd;
    private int temps;

    NodeContext(Translation translation, Onnx.NodeProto node, List<Value> inputs, SameDiff sd) {
        this.translation = translation;
        this.node = node;
        this.inputs = inputs;
        this.sd = sd;
    }

    // ---- node ----

    String opType() { return node.getOpType(); }

    String nodeName() { return node.getName(); }

    long opset() { return translation.graph.opset; }

    DataType floatType() { return translation.floatType; }

    int outputCount() { return node.getOutputCount(); }

    UnsupportedOperatorException unsupported(String detail) {
        return new UnsupportedOperatorException(opType(), nodeName(), opset(), detail);
    }

    /** A node that cannot be computed (for example a constant integer divisor holding 0), named like the translator names it. */
    org.acejvm.core.ModelFormatException invalid(String detail) {
        return new org.acejvm.core.ModelFormatException(translation.graph.source + ": node '" + nodeName() + "' ("
                + opType() + ", opset " + opset() + "): " + detail);
    }

    // ---- inputs ----

    int inputCount() { return inputs.size(); }

    /** Whether optional input i is given. */
    boolean has(int i) { return i < inputs.size() && inputs.get(i) != null; }

    Value in(int i) {
        if (!has(i)) throw unsupported("input " + i + " is missing");
        return inputs.get(i);
    }

    boolean isConst(int i) { return in(i) instanceof Value.Const; }

    boolean isSym(int i) { return in(i) instanceof Value.Sym; }

    Dim[] shape(int i) { return in(i).shape(); }

    int rank(int i) { return shape(i).length; }

    /** Input i, which must be known at import time. */
    INDArray constant(int i, String what) {
        if (in(i) instanceof Value.Const c) return c.array();
        throw unsupported(what + " (input " + i + ") must be a constant");
    }

    long[] longs(int i, String what) {
        INDArray a = constant(i, what);
        return a.isEmpty() ? new long[0] : a.castTo(DataType.LONG).reshape(-1).toLongVector();
    }

    double scalar(int i, String what) {
        INDArray a = constant(i, what);
        if (a.length() != 1) throw unsupported(what + " (input " + i + ") must be a single number, got shape " + java.util.Arrays.toString(a.shape()));
        return a.getDouble(0);
    }

    /** An integer input as import-time dimensions: a constant, or a shape value such as Shape(x). */
    Dim[] dims(int i, String what) {
        Value v = in(i);
        if (v instanceof Value.Sym s) return s.elements();
        // checked before converting: a 12 MB constant read as a shape of a million dimensions fills the heap with Dims
        if (v instanceof Value.Const c && c.array().length() > Shapes.MAX_RANK) {
            throw new ShapeException("'" + what + "' has " + c.array().length() + " elements; a shape has at most "
                    + Shapes.MAX_RANK + " dimensions");
        }
        return Shapes.of(longs(i, what));
    }

    /** Input i as a SameDiff variable (constants become shared graph constants in the working float type). */
    SDVariable var(int i) {
        Value v = in(i);
        if (v instanceof Value.Dyn d) return d.var();
        if (v instanceof Value.Const c) return translation.constantVar(c);
        throw new ShapeException("input " + i + " is a shape value depending on the batch size; " + opType()
                + " cannot use it as data");
    }

    boolean isFloat(int i) {
        Value v = in(i);
        if (v instanceof Value.Const c) return c.array().dataType().isFPType();
        if (v instanceof Value.Dyn d) return d.var().dataType().isFPType();
        return false;
    }

    // ---- attributes ----

    private Onnx.AttributeProto attr(String name) {
        for (Onnx.AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    boolean hasAttr(String name) { return attr(name) != null; }

    long attrInt(String name, long def) {
        Onnx.AttributeProto a = attr(name);
        return a == null ? def : a.getI();
    }

    double attrFloat(String name, double def) {
        Onnx.AttributeProto a = attr(name);
        return a == null ? def : a.getF();
    }

    long[] attrInts(String name, long[] def) {
        Onnx.AttributeProto a = attr(name);
        return a == null ? def : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    String attrString(String name, String def) {
        Onnx.AttributeProto a = attr(name);
        return a == null ? def : a.getS().toStringUtf8();
    }

    /** Tensor attribute (Constant's value); null if absent. */
    INDArray attrTensor(String name) {
        Onnx.AttributeProto a = attr(name);
        return a == null || !a.hasT() ? null : OnnxTensors.toArray(a.getT(), null);
    }

    Onnx.AttributeProto rawAttr(String name) { return attr(name); }

    // ---- outputs ----

    /** SameDiff name for output k of this node, under the call name. */
    String out(int k) { return translation.uniqueName(node.getOutput(k)); }

    String out() { return out(0); }

    /** A fresh name for an intermediate variable of this node. */
    String tmp() { return translation.uniqueName(node.getOutput(0) + "_" + (++temps)); }

    Value.Dyn dyn(SDVariable v, Dim[] shape) { return new Value.Dyn(v, shape); }

    /** Checks an import-time constant this mapper is about to allocate against the model's limits (see Translation). */
    void reserveConstant(long[] shape, DataType type) { translation.reserveConstant(node, shape, type); }

    /**
     * {@code full * small} for a {@code small} operand that broadcasts to {@code shape}, the shape of {@code full},
     * with a fast backward pass. libnd4j 1.0.0-M2.1's {@code multiply_bp} handles a broadcast operand by tiling it
     * with a generic per-element index loop: in the UNet normalisations ({@code [N, G, L] * [N, G, 1]},
     * {@code [N, C, H, W] * [1, C, 1, 1]}) that was 40% of an attack step. Widening the small operand first by a
     * broadcasting add to the call's zero array of that shape ({@code add_bp} only sums over the broadcast axes)
     * leaves an element-wise product, whose backward is two element-wise products. Same values.
     */
    SDVariable broadcastMul(String name, SDVariable full, SDVariable small, Dim[] shape) {
        SDVariable wide = sd.math().add(tmp(), translation.zeros(shape, full), small);
        return sd.math().mul(name, full, wide);
    }

    /** A graph constant computed once per model (e.g. permuted weights) and created once per SameDiff. */
    SDVariable shared(String key, Supplier<INDArray> compute) {
        return translation.sharedVar(key, compute);
    }

    /** Key for a constant derived from input i (unique per source tensor and transform). */
    String keyOf(int i, String transform) {
        Value v = in(i);
        String base = v instanceof Value.Const c && c.key() != null ? c.key() : node.getOutput(0) + "#" + i;
        return base + "@" + transform;
    }
}
