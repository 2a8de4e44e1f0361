package org.acejvm.core.graph.plan;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Temporaries that live within one backward step only. Steps run one after the other, so every step may use the
 * same temporary of a shape: slot {@code index} of a shape is one array shared by all steps.
 */
final class Scratch {
    private final Map<String, INDArray> arrays = new HashMap<>();
    private long allocatedBytes;

    INDArray get(long[] shape, int index) {
        return arrays.computeIfAbsent(index + ":" + Arrays.toString(shape), k -> {
            INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
            allocatedBytes += a.length() * 4L;
            return a;
        });
    }

    long allocatedBytes() { return allocatedBytes; }
}
