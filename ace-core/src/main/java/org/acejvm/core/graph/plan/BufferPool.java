package org.acejvm.core.graph.plan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Arrays handed out and given back while a plan is compiled: an array given back is dead from that point of the
 * plan on, so a later value of the same type and shape may live in it. Nothing is allocated when the plan runs.
 */
final class BufferPool {
    private final Map<Key, ArrayDeque<INDArray>> free = new HashMap<>();
    private final List<INDArray> all = new ArrayList<>(); // keeps every array alive with the plan
    private long allocatedBytes;

    INDArray take(DataType type, long[] shape) {
        ArrayDeque<INDArray> q = free.get(new Key(type, shape));
        if (q != null && !q.isEmpty()) return q.pop();
        INDArray a = Nd4j.createUninitialized(type, shape, 'c');
        allocatedBytes += a.length() * type.width();
        all.add(a);
        return a;
    }

    void giveBack(INDArray a) {
        free.computeIfAbsent(new Key(a.dataType(), a.shape()), k -> new ArrayDeque<>()).push(a);
    }

    long allocatedBytes() { return allocatedBytes; }

    private record Key(DataType type, long[] shape) {
        @Override public boolean equals(Object o) {
            return o instanceof Key k && k.type == type && Arrays.equals(k.shape, shape);
        }

        @Override public int hashCode() { return type.hashCode() * 31 + Arrays.hashCode(shape); }
    }
}
