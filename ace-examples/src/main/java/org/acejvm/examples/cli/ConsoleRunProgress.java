package org.acejvm.examples.cli;

import java.io.PrintStream;
import org.acejvm.refine.batch.RunProgress;

/** A batch run's progress as a console progress bar, one per stage. */
final class ConsoleRunProgress implements RunProgress {
    private final PrintStream out;
    private ConsoleProgress bar;

    ConsoleRunProgress(PrintStream out) { this.out = out; }

    @Override public void started(String label, int todo, int resumed) {
        out.println(label + ": " + todo + " of " + (todo + resumed) + " images to do" + (resumed > 0 ? ", " + resumed
                + " resumed from the store" : ""));
        bar = new ConsoleProgress(out, "images", todo);
    }

    @Override public void iteration(long done, int iteration, int iterations) {
        bar.update(done, "iteration " + iteration + "/" + iterations);
    }

    @Override public void advanced(long done) { bar.update(done, ""); }

    @Override public void finished() { bar.finish(); }
}
