package org.acejvm.examples.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on the console, redrawn in place:
 * "[#####.....] 5.3/16 images (iteration 11/50), 2.1 images/min, 5 min left". The done count may be fractional (the
 * share of a batch's iterations finished), so that the rate and the time left move while a batch runs.
 */
final class ConsoleProgress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String unit;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;

    ConsoleProgress(PrintStream out, String unit, long total) {
        this.out = out;
        this.unit = unit;
        this.total = Math.max(1, total);
    }

    /** Shows {@code done} of the total, with {@code detail} after it (e.g. the current iteration). */
    synchronized void update(double done, String detail) {
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 200_000_000L) return; // at most 5 redraws a second
        lastDraw = now;
        int filled = (int) Math.min(WIDTH, WIDTH * done / total);
        double elapsed = (now - start) / 1e9;
        String rate = done > 0 && elapsed > 1 ? String.format(Locale.ROOT, ", %.1f %s/min", 60 * done / elapsed, unit) : "";
        String eta = done > 0 && done < total ? ", " + duration(elapsed / done * (total - done)) + " left" : "";
        String count = done == Math.rint(done) ? String.format(Locale.ROOT, "%d", (long) done)
                : String.format(Locale.ROOT, "%.1f", done);
        out.print(String.format(Locale.ROOT, "\r[%s%s] %s/%d %s%s%s%s   ", "#".repeat(filled), ".".repeat(WIDTH - filled),
                count, total, unit, detail == null || detail.isEmpty() ? "" : " (" + detail + ")", rate, eta));
        out.flush();
    }

    synchronized void finish() {
        update(total, "");
        out.println();
    }

    static String duration(double seconds) {
        if (seconds < 90) return String.format(Locale.ROOT, "%.0f s", seconds);
        if (seconds < 5400) return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
