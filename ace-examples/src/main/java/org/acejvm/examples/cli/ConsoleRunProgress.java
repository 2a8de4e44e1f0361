package org.acejvm.examples.cli;

import java.io.PrintStream;
import org.acejvm.refine.batch.RunProgress;

/**
 * A batch run's progress as a console progress bar, one per stage. Within a batch, the images count as done in
 * proportion to the attack iterations finished, so the bar, the rate and the time left move while the first batch
 * runs (its refinement is not counted until the batch is stored).
 */
final class ConsoleRunProgress implements RunProgress {
    private final PrintStream out;
    private final int batchSize;
    private ConsoleProgress bar;
    private int todo;

    ConsoleRunProgress(PrintStream out, int batchSize) {
        this.out = out;
        this.batchSize = batchSize;
    }

    @Override public void started(String label, int todo, int resumed) {
        out.println(label + ": " + todo + " of " + (todo + resumed) + " images to do" + (resumed > 0 ? ", " + resumed
                + " resumed from the store" : ""));
        this.todo = todo;
        bar = new ConsoleProgress(out, "images", todo);
    }

    @Override public void iteration(long done, int iteration, int iterations) {
        long inBatch = Math.min(batchSize, todo - done);
        bar.update(done + inBatch * (double) iteration / Math.max(1, iterations), "iteration " + iteration + "/" + iterations);
    }

    @Override public void advanced(long done) { bar.update(done, ""); }

    @Override public void finished() { bar.finish(); }
}
