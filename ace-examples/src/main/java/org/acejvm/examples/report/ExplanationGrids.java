package org.acejvm.examples.report;

import static org.acejvm.examples.report.ReportWriter.COLUMNS;
import static org.acejvm.examples.report.ReportWriter.UNREFINED_COLUMNS;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.acejvm.core.io.Images;
import org.acejvm.core.result.Explanation;
import org.acejvm.examples.report.ReportWriter.Comparison;
import org.acejvm.examples.report.ReportWriter.Section;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The labelled grids of a report's explanations: what each row shows (which columns, which label) and on which
 * difference scale; {@link LabelledGrid} draws them.
 */
final class ExplanationGrids {
    private final List<String> classNames;

    ExplanationGrids(List<String> classNames) {
        this.classNames = List.copyOf(classNames);
    }

    private static INDArray original(Section sec, Explanation e) { return original(sec.originals(), e); }

    private static INDArray original(Map<Long, INDArray> originals, Explanation e) {
        INDArray x = originals.get(e.sampleId());
        if (x == null) throw new IllegalArgumentException("no original image for sample " + e.sampleId());
        return x;
    }

    /** The grid of a section: a row per explanation, labelled, with the section's columns and difference scale. */
    LabelledGrid section(Section sec) {
        DifferenceScale scale = scale(sec);
        boolean refined = sec.refined();
        LabelledGrid grid = new LabelledGrid(sec.title(), refined ? COLUMNS : UNREFINED_COLUMNS)
                .colourBar(scale, scaleCaption(scale));
        for (Explanation e : sec.explanations()) {
            grid.row(List.of(new LabelledGrid.Line(sampleName(e) + (e.success() ? "  flipped" : "  not flipped"),
                            e.success() ? LabelledGrid.GOOD : LabelledGrid.BAD),
                    new LabelledGrid.Line(shortName(e.source()) + " -> " + targetName(e)),
                    new LabelledGrid.Line(String.format(Locale.ROOT, "%s %.2f -> %.2f", pTarget(e), e.before().target(),
                            e.after().target()))),
                    cells(e, sec, scale, refined));
        }
        return grid;
    }

    /** The strip of a comparison: input | A | A's difference | B | B's difference, one scale for both methods. */
    LabelledGrid comparison(Comparison c) {
        List<Explanation[]> pairs = new ArrayList<>();
        List<INDArray> maps = new ArrayList<>();
        for (Explanation a : c.a()) {
            c.b().stream().filter(b -> b.sampleId() == a.sampleId() && b.variant() == a.variant()).findFirst().ifPresent(b -> {
                pairs.add(new Explanation[] {a, b});
                maps.add(difference(a, c.originals()));
                maps.add(difference(b, c.originals()));
            });
        }
        DifferenceScale scale = DifferenceScale.over(maps);
        LabelledGrid grid = new LabelledGrid(c.title(), List.of("input", c.nameA(), c.nameA() + " difference", c.nameB(),
                c.nameB() + " difference")).colourBar(scale, scaleCaption(scale));
        for (Explanation[] p : pairs) {
            Explanation a = p[0], b = p[1];
            INDArray x = asBatch(original(c.originals(), a));
            grid.row(List.of(new LabelledGrid.Line(sampleName(a) + "  " + shortName(a.source()) + " -> " + targetName(a)),
                    new LabelledGrid.Line(String.format(Locale.ROOT, "%s before %.2f", pTarget(a), a.before().target())),
                    afterLine(c.nameA(), a), afterLine(c.nameB(), b)),
                    List.of(Images.toRgb(x), Images.toRgb(asBatch(a.explanation().toINDArray())),
                            scale.heat(DifferenceScale.map(x, asBatch(a.explanation().toINDArray()))),
                            Images.toRgb(asBatch(b.explanation().toINDArray())),
                            scale.heat(DifferenceScale.map(x, asBatch(b.explanation().toINDArray())))));
        }
        return grid;
    }

    private static LabelledGrid.Line afterLine(String method, Explanation e) {
        return new LabelledGrid.Line(String.format(Locale.ROOT, "after %s %.2f", method, e.after().target()),
                e.success() ? LabelledGrid.GOOD : LabelledGrid.BAD);
    }

    /** One row's cells as RGB [1, 3, H, W], in the order of {@link ReportWriter#COLUMNS} or {@link ReportWriter#UNREFINED_COLUMNS}. */
    static List<INDArray> cells(Explanation e, Section sec, DifferenceScale scale, boolean refined) {
        INDArray x = asBatch(original(sec, e));
        INDArray cf = asBatch(e.explanation().toINDArray());
        INDArray heat = scale.heat(DifferenceScale.map(x, cf));
        if (!refined) return List.of(Images.toRgb(x), Images.toRgb(cf), heat);
        return List.of(Images.toRgb(x), Images.toRgb(asBatch(e.preExplanation().toINDArray())), Images.toRgb(cf),
                Images.toRgb(asBatch(e.mask().toINDArray())), heat);
    }

    /** The section's difference scale: the largest |x' - x| over all its rows. */
    static DifferenceScale scale(Section sec) {
        return DifferenceScale.over(sec.explanations().stream().map(e -> difference(e, sec.originals())).toList());
    }

    private static INDArray difference(Explanation e, Map<Long, INDArray> originals) {
        INDArray cf = asBatch(e.explanation().toINDArray());
        return DifferenceScale.map(asBatch(original(originals, e)), cf);
    }

    private static String scaleCaption(DifferenceScale scale) {
        return "One scale for all rows: white = " + LabelledGrid.tick(scale.max()) + ", the largest change";
    }

    private static String sampleName(Explanation e) {
        return "#" + e.sampleId() + (e.variant() > 0 ? " v" + e.variant() : "");
    }

    /** A class's name as the grids show it: its name, or "class 3" past the end of the names. */
    private String shortName(int c) {
        return c >= 0 && c < classNames.size() ? classNames.get(c) : "class " + c;
    }

    private String targetName(Explanation e) { return e.untargeted() ? "any other" : shortName(e.target()); }

    /** For an untargeted explanation the target probability is 1 - p(source) (see Scores). */
    private String pTarget(Explanation e) {
        return e.untargeted() ? "p(not " + shortName(e.source()) + ")" : "p(" + shortName(e.target()) + ")";
    }

    static INDArray asBatch(INDArray chw) {
        return chw.rank() == 4 ? chw : chw.reshape(1, chw.size(0), chw.size(1), chw.size(2));
    }
}
