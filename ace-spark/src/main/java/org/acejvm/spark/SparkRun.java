package org.acejvm.spark;

/**
 * What a cluster run did: images asked for, already in the output before the run (resumed), explained by this run,
 * in how many waves (Spark jobs, each committed to the output as a whole), and the wall time.
 */
public record SparkRun(long requested, long resumed, long explained, int waves, double seconds) {
    /** Images explained per minute by this run (0 when it explained none). */
    public double imagesPerMinute() { return explained == 0 || seconds <= 0 ? 0 : 60 * explained / seconds; }
}
