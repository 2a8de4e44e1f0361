package org.acejvm.core.onnx;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What an ONNX tensor is while a graph is translated.
 *
 * <ul>
 *   <li>{@link Const}: known at import (initializers, Constant nodes, anything computed only from them);</li>
 *   <li>{@link Sym}: a small integer tensor (rank 0 or 1) known at import up to the batch size, such as
 *       {@code Shape(x)} = {@code [N, 64, 16, 16]}; kept symbolic so that shape subgraphs fold away;</li>
 *   <li>{@link Dyn}: computed at run time by a SameDiff variable; its shape is known at import up to the batch.</li>
 * </ul>
 */
sealed interface Value permits Value.Const, Value.Sym, Value.Dyn {

    /** The shape of this value at import time. */
    Dim[] shape();

    /**
     * @param key the name under which this constant is shared in a SameDiff graph (the ONNX tensor it came from;
     *            aliases such as Identity keep the key, so one array becomes one graph constant)
     */
    record Const(INDArray array, String key) implements Value {
        @Override
        public Dim[] shape() {
            return Shapes.of(array.shape());
        }
    }

    /** An integer tensor of rank 0 ({@code scalar}) or 1 whose elements may depend on the batch size. */
    record Sym(Dim[] elements, boolean scalar) implements Value {
        public Sym {
            if (scalar && elements.length != 1) throw new IllegalArgumentException("scalar Sym with " + elements.length);
        }

        @Override
        public Dim[] shape() {
            return scalar ? new Dim[0] : Shapes.of(elements.length);
        }
    }

    record Dyn(SDVariable var, Dim[] shape) implements Value {}
}
