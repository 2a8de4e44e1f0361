package org.acejvm.examples.cli;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on the console: "[#####.....] 8/16 images, 40 s left". Redrawn in place. */
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
    synchronized void update(long done, String detail) {
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 200_000_000L) return; // at most 5 redraws a second
        lastDraw = now;
        int filled = (int) Math.min(WIDTH, WIDTH * done / total);
        double elapsed = (now - start) / 1e9;
        String eta = done > 0 && done < total
                ? String.format(Locale.ROOT, ", %.0f s left", elapsed / done * (total - done)) : "";
        out.print(String.format(Locale.ROOT, "\r[%s%s] %d/%d %s%s%s   ", "#".repeat(filled), ".".repeat(WIDTH - filled),
                done, total, unit, eta, detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        out.flush();
    }

    synchronized void finish() {
        update(total, "");
        out.println();
    }
}
