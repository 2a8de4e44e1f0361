package org.acejvm.core.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff session memory manager that hands out every intermediate array of one graph call only once, and reuses
 * the same arrays, by shape, on the next call.
 *
 * <p>Why: SameDiff 1.0.0-M2.1's recycling manager ({@code ArrayCacheMemoryMgr}) returns wrong values for the
 * translated UNets at batch 2 and more (it recycles arrays that are still read), and the non-recycling
 * {@code NoOpMemoryMgr} allocates fresh off-heap memory for every op output: on a diffusion filter the kernel's page
 * faults then cost as much as the ops themselves, and memory is returned only when the Java GC runs. An arena is as
 * safe as the non-recycling manager within a call (no array is given out twice) and allocates nothing after the
 * first call of a batch size. Its price is memory: one call's intermediates stay allocated.
 *
 * <p>Contract: {@link #reset()} before each call, and callers copy what they keep from a call's outputs before the
 * next one ({@link SameDiffExecutor} does both). Arrays requested as "detached" (returned to the caller) are not
 * pooled.
 */
public final class ArenaMemory extends AbstractMemoryMgr implements SessionMemMgr {
    private final Map<Key, List<INDArray>> pool = new HashMap<>();
    private final Map<Key, Integer> cursor = new HashMap<>();
    private long pooledBytes;

    /**
     * Starts a new call: every pooled array may be handed out again. Arrays the previous call did not use are freed,
     * so that a batch that shrinks from call to call (samples leaving an attack early) does not keep one pool per
     * batch size.
     */
    public void reset() {
        var it = pool.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            List<INDArray> arrays = e.getValue();
            int used = cursor.getOrDefault(e.getKey(), 0);
            while (arrays.size() > used) {
                INDArray a = arrays.remove(arrays.size() - 1);
                pooledBytes -= a.length() * a.dataType().width();
                a.close();
            }
            if (arrays.isEmpty()) it.remove();
        }
        cursor.clear();
    }

    /** Bytes held by the pool. */
    public long pooledBytes() { return pooledBytes; }

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        if (detached) return Nd4j.createUninitializedDetached(dataType, shape);
        Key key = new Key(dataType, shape.clone());
        List<INDArray> arrays = pool.computeIfAbsent(key, k -> new ArrayList<>());
        int i = cursor.getOrDefault(key, 0);
        cursor.put(key, i + 1);
        if (i < arrays.size()) return arrays.get(i);
        INDArray a = Nd4j.createUninitialized(dataType, shape);
        arrays.add(a);
        pooledBytes += a.length() * dataType.width();
        return a;
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        return allocate(detached, descriptor.dataType(), descriptor.getShape());
    }

    /** Arrays go back to the pool only at {@link #reset()}. */
    @Override public void release(INDArray array) {}

    @Override
    public void close() {
        for (List<INDArray> arrays : pool.values()) for (INDArray a : arrays) a.close();
        pool.clear();
        cursor.clear();
        pooledBytes = 0;
    }

    /**
     * The arena of the calling thread's session of {@code sd} and of its gradient function (when it has one),
     * installed on first use and reset for a new call.
     */
    public static void resetFor(SameDiff sd) {
        resetSession(sd);
        SameDiff grad = sd.getFunction("grad");
        if (grad != null) resetSession(grad);
    }

    private static void resetSession(SameDiff sd) {
        long tid = Thread.currentThread().getId();
        InferenceSession s = sd.getSessions().get(tid);
        if (s == null || !(s.getMmgr() instanceof ArenaMemory)) {
            s = new InferenceSession(sd);
            s.setMmgr(new ArenaMemory());
            sd.getSessions().put(tid, s);
        }
        ((ArenaMemory) s.getMmgr()).reset();
    }

    private record Key(DataType dataType, long[] shape) {
        @Override public boolean equals(Object o) {
            return o instanceof Key k && k.dataType == dataType && Arrays.equals(k.shape, shape);
        }
        @Override public int hashCode() { return 31 * dataType.hashCode() + Arrays.hashCode(shape); }
    }
}
