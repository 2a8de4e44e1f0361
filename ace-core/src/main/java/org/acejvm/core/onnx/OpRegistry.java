package org.acejvm.core.onnx;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ONNX operators the translator knows: op type -> mapper. To add an operator, write a mapper (see the
 * {@code *Mappers} classes) and register it in {@link #standard()}.
 *
 * <p>Two kinds of registration:
 * <ul>
 *   <li>{@link #op}: when every input is an import-time constant, the translator evaluates the node once at import
 *       (constant folding) by running the same mapper on a scratch graph; otherwise the mapper adds SameDiff ops.
 *       Mappers of shape operators also accept shape values ({@link Value.Sym}, e.g. {@code Shape(x)}) and compute
 *       on them symbolically, so shape subgraphs fold away;</li>
 *   <li>{@link #selfFolding}: the mapper produces import-time values itself and is never folded generically
 *       (Constant, Shape, Identity, Range, ...).</li>
 * </ul>
 */
final class OpRegistry {
    /** @param foldConstants whether the translator evaluates the node at import when all its inputs are constants */
    record Entry(OpMapper mapper, boolean foldConstants) {}

    private final Map<String, Entry> entries = new TreeMap<>();

    OpRegistry op(String opType, OpMapper mapper) {
        return put(opType, new Entry(mapper, true));
    }

    OpRegistry selfFolding(String opType, OpMapper mapper) {
        return put(opType, new Entry(mapper, false));
    }

    private OpRegistry put(String opType, Entry e) {
        if (entries.putIfAbsent(opType, e) != null) throw new IllegalStateException("operator registered twice: " + opType);
        return this;
    }

    boolean supports(String opType) {
        return entries.containsKey(opType);
    }

    Entry get(String opType) {
        return entries.get(opType);
    }

    Set<String> operators() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    private static final OpRegistry STANDARD = build();

    /** Every operator of this package (shared, read-only after construction). */
    static OpRegistry standard() {
        return STANDARD;
    }

    private static OpRegistry build() {
        OpRegistry r = new OpRegistry();
        ConvMappers.register(r);
        NormMappers.register(r);
        MathMappers.register(r);
        ShapeMappers.register(r);
        return r;
    }
}
