package org.acejvm.refine.calibrate;

import java.util.List;
import java.util.Locale;
import org.acejvm.refine.batch.MethodSpec;

/**
 * What a {@link Calibration} measured and what it chose: the returned method, the filter-depth table, the mask
 * dilation, every grid point, and notes on what went wrong (a depth no filter kept, attacks that did not move).
 *
 * @param spec       the chosen method (write it with {@link MethodSpec#toFullText()})
 * @param plan       what was tried
 * @param depth      one row per candidate fraction
 * @param chosen     the chosen depth's row
 * @param side       the image side the dilation was scaled to
 * @param dilation   the chosen mask dilation
 * @param grid       every grid point, in grid order
 * @param best       the chosen grid point
 * @param inpainting one row per candidate inpainting start ({@link InpaintingStart})
 * @param inpaintingStart the chosen start
 * @param thresholds one row per candidate mask threshold ({@link MaskThreshold})
 * @param threshold  the chosen threshold's row
 * @param notes      diagnostics, one line each (empty when nothing needs saying)
 */
public record CalibrationReport(MethodSpec spec, CalibrationPlan plan, List<FilterDepth.Row> depth, FilterDepth.Row chosen,
                                int side, int dilation, List<GridPoint> grid, GridPoint best,
                                List<InpaintingStart.Row> inpainting, InpaintingStart.Row inpaintingStart,
                                List<MaskThreshold.Row> thresholds, MaskThreshold.Row threshold, List<String> notes) {

    public CalibrationReport {
        depth = List.copyOf(depth);
        grid = List.copyOf(grid);
        inpainting = List.copyOf(inpainting);
        thresholds = List.copyOf(thresholds);
        notes = List.copyOf(notes);
    }

    /** The report for people: the tables in Markdown, the choices and the notes. */
    public String toText() {
        StringBuilder sb = new StringBuilder("# Calibration\n\n## Filter depth: C(F(x)) = C(x)\n\n");
        sb.append("| fraction | steps S | kept | share |\n|---:|---:|---:|---:|\n");
        for (FilterDepth.Row r : depth) {
            sb.append(f("| %s | %d | %d/%d | %.3f |%n", r.fraction(), r.steps(), r.kept(), r.images(), r.share()));
        }
        sb.append(f("%nChosen: fraction %s (S = %d), the deepest whose share reaches %.2f.%n", chosen.fraction(),
                chosen.steps(), plan.agreement()));
        sb.append(f("%n## Mask%n%nDilation %d for a %d px side (%.2f of the side).%n", dilation, side, plan.dilationShare()));
        sb.append(f("%n## Attack grid (%d images, %d iterations each)%n%n", best.images(), plan.gridIterations()));
        sb.append("| lambda1 | step (x255) | flipped | attack flipped | mean abs change | top-10% share | stuck |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        for (GridPoint p : grid) {
            sb.append(f("| %s | %.1f | %d/%d | %d/%d | %.4f | %s | %d |%n", p.lambda1(), p.step() * 255, p.flips(),
                    p.images(), p.attackFlips(), p.images(), p.meanChange(),
                    Double.isNaN(p.topShare()) ? "n/a" : f("%.3f", p.topShare()), p.stuck()));
        }
        sb.append(f("%nChosen: lambda1 %s, step %.1f/255 (most flips, then the smallest mean change, then the most "
                + "concentrated change); the method runs %d iterations.%n", best.lambda1(), best.step() * 255, spec.iterations()));
        sb.append(f("%n## Inpainting start (the same %d images, one attack of the chosen point, each start refining it)%n%n",
                best.images()));
        sb.append("| inpainting steps | flipped | mean abs change |\n|---:|---:|---:|\n");
        for (InpaintingStart.Row r : inpainting) {
            sb.append(f("| %d%s | %d/%d | %.4f |%n", r.steps(), r.steps() == chosen.steps() ? " (the filter's S)" : "",
                    r.flips(), r.images(), r.meanChange()));
        }
        sb.append(f("%nChosen: %d (most flips, then the deeper start).%n", inpaintingStart.steps()));
        sb.append(f("%n## Mask threshold (the same attack, refined from the chosen start)%n%n"));
        sb.append("| threshold | flipped | mask area | mean abs change |\n|---:|---:|---:|---:|\n");
        for (MaskThreshold.Row r : thresholds) {
            sb.append(f("| %s | %d/%d | %.1f%% | %.4f |%n", r.threshold(), r.flips(), r.images(), 100 * r.maskArea(), r.meanChange()));
        }
        sb.append(MaskThreshold.withinArea(threshold, plan.maxMaskArea())
                ? f("%nChosen: %s (of the masks within %.0f%% of the image, the most flips, then the lower threshold).%n",
                        threshold.threshold(), 100 * plan.maxMaskArea())
                : f("%nChosen: %s (no mask within %.0f%% of the image: the smallest mask with at most one flip fewer "
                        + "than the most).%n", threshold.threshold(), 100 * plan.maxMaskArea()));
        if (!notes.isEmpty()) {
            sb.append("\n## Notes\n\n");
            notes.forEach(n -> sb.append("- ").append(n).append('\n'));
        }
        sb.append("\n## Method\n\n```\n").append(spec.toFullText()).append("```\n");
        return sb.toString();
    }

    private static String f(String format, Object... args) { return String.format(Locale.ROOT, format, args); }
}
