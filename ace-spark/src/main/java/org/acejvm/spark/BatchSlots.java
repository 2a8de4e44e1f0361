package org.acejvm.spark;

import java.io.Serializable;
import org.apache.spark.Partitioner;

/**
 * Where a wave's rows go: each row's key is (slot, batch, id), where slot numbers the wave's batches 0, 1, 2, ...;
 * batch {@code slot} goes whole to partition {@code slot % partitions} (round robin: a hash of the batch number
 * left two of two batches in one partition), and a partition's rows are sorted by batch, then id.
 */
final class BatchSlots extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    BatchSlots(int partitions) { this.partitions = partitions; }

    @Override public int numPartitions() { return partitions; }

    @Override public int getPartition(Object key) { return (int) (((Key) key).slot() % partitions); }

    @Override public boolean equals(Object o) { return o instanceof BatchSlots b && b.partitions == partitions; }

    @Override public int hashCode() { return partitions; }

    /** A row's place: its batch's slot in the wave, the batch, the id. Ordered by batch, then id. */
    record Key(long slot, long batch, long id) implements Comparable<Key>, Serializable {
        @Override public int compareTo(Key o) {
            int c = Long.compare(batch, o.batch);
            return c != 0 ? c : Long.compare(id, o.id);
        }
    }
}
