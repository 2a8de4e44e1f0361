package org.acejvm.spark;

import java.io.Serializable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Told on the executor after each batch of a partition is explained (before its rows are handed to Spark): progress
 * for the executors' logs, or a hook for tests and monitoring. Serialisable: it ships with the tasks. A listener that
 * throws fails the task attempt, which Spark retries.
 */
public interface PartitionListener extends Serializable {
    /**
     * @param partition the partition's index in its stage
     * @param attempt   the task attempt (0 first, more on retries)
     * @param done      images of this partition explained so far
     * @param seconds   seconds since the partition started
     */
    void batchDone(int partition, int attempt, long done, double seconds);

    /** Logs each batch on the executor: partition, attempt, images done and the rate. */
    static PartitionListener logging() {
        return (partition, attempt, done, seconds) -> LoggerHolder.LOG.info(
                "partition {} (attempt {}): {} images explained, {} images/min", partition, attempt, done,
                String.format(java.util.Locale.ROOT, "%.2f", seconds > 0 ? 60 * done / seconds : 0));
    }

    /** Holds the logger outside the interface's serialised lambdas. */
    final class LoggerHolder {
        static final Logger LOG = LoggerFactory.getLogger(PartitionListener.class);

        private LoggerHolder() {}
    }
}
