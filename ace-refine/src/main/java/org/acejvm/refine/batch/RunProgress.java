package org.acejvm.refine.batch;

/** What a batch run reports while it works (the command line draws a progress bar from it). */
public interface RunProgress {
    /** A stage starts: {@code todo} explanations to compute, {@code resumed} taken from the store. */
    default void started(String label, int todo, int resumed) {}

    /** Attack iteration {@code iteration} (1-based) of {@code iterations} on the batch after {@code done} finished ones. */
    default void iteration(long done, int iteration, int iterations) {}

    /** {@code done} of the stage's explanations are finished and stored. */
    default void advanced(long done) {}

    /** The stage is finished. */
    default void finished() {}

    static RunProgress none() { return new RunProgress() {}; }
}
