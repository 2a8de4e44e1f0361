package org.acejvm.examples.report;

import com.google.common.html.HtmlEscapers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.io.Images;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;
import org.acejvm.metrics.ChangeLocality;
import org.acejvm.metrics.ImageDistances;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes what a person looks at after a run: {@code report.html}, a labelled PNG grid per section ({@link LabelledGrid}:
 * input | pre-explanation | explanation | mask | difference heat map on one scale, the middle two left out for
 * methods without a refinement), side-by-side strips of two methods on the same images, one PNG row per explanation,
 * and {@code results.json} with every result.
 */
public final class ReportWriter {
    /** The columns of a grid of refined explanations (ACE and every method with a refinement). */
    public static final List<String> COLUMNS = List.of("input", "pre-explanation", "explanation", "mask", "difference |x'-x|");
    /**
     * The columns of a grid of explanations without a refinement (Pre-CE, plain PGD): the explanation is the
     * pre-explanation and the mask was never used, so both would only repeat or mislead.
     */
    public static final List<String> UNREFINED_COLUMNS = List.of("input", "explanation", "difference |x'-x|");

    private final Path out;
    private final String title;
    private final List<String> classNames;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<Section> sections = new ArrayList<>();
    private final List<Comparison> comparisons = new ArrayList<>();

    /** A titled set of explanations of the same originals (e.g. "ACE" and "plain PGD, no filter"). */
    public record Section(String title, List<Explanation> explanations, Map<Long, INDArray> originals) {
        /** Whether a refinement changed any pre-explanation (false for Pre-CE and plain PGD). */
        public boolean refined() {
            return explanations.stream().anyMatch(e -> !e.explanation().equals(e.preExplanation()));
        }

        public List<String> columns() { return refined() ? COLUMNS : UNREFINED_COLUMNS; }
    }

    /** Two methods' explanations of the same images, shown side by side in {@code file} (matched by sample and variant). */
    public record Comparison(String file, String title, String nameA, List<Explanation> a, String nameB,
                             List<Explanation> b, Map<Long, INDArray> originals) {}

    public ReportWriter(Path out, String title, List<String> classNames) {
        this.out = out;
        this.title = title;
        this.classNames = List.copyOf(classNames);
    }

    public ReportWriter setting(String name, Object value) {
        settings.put(name, String.valueOf(value));
        return this;
    }

    /** Adds a section; originals maps sample id to the original image [C, H, W] in [0, 1]. */
    public ReportWriter section(String sectionTitle, List<Explanation> explanations, Map<Long, INDArray> originals) {
        sections.add(new Section(sectionTitle, List.copyOf(explanations), Map.copyOf(originals)));
        return this;
    }

    /**
     * Adds a side-by-side strip (input | A | A's difference | B | B's difference, one difference scale for both)
     * written to {@code file} in the output folder and shown first in the report.
     */
    public ReportWriter compare(String file, String stripTitle, String nameA, List<Explanation> a, String nameB,
                                List<Explanation> b, Map<Long, INDArray> originals) {
        comparisons.add(new Comparison(file, stripTitle, nameA, List.copyOf(a), nameB, List.copyOf(b), Map.copyOf(originals)));
        return this;
    }

    /** Flip rate of a list: share of explanations whose refined image reaches the target. */
    public static double flipRate(List<Explanation> list) {
        return list.isEmpty() ? 0 : list.stream().filter(Explanation::success).count() / (double) list.size();
    }

    /** Writes everything; returns the path of report.html. */
    public Path write(Duration elapsed) {
        try {
            Files.createDirectories(out.resolve("images"));
            List<Explanation> all = new ArrayList<>();
            StringBuilder body = new StringBuilder();
            ExplanationGrids grids = new ExplanationGrids(classNames);
            for (Comparison c : comparisons) {
                LabelledGrid strip = grids.comparison(c);
                if (strip.rowCount() == 0) continue;
                Images.writePng(strip.render(), out.resolve(c.file()));
                body.append(String.format(Locale.ROOT, """
                        <h2>%s</h2>
                        <p class="summary">The same images explained by both; both difference maps of a row on one scale.</p>
                        <p><img class="grid" src="%s" alt="%s"></p>
                        """, esc(c.title()), esc(c.file()), esc(c.title())));
            }
            for (int s = 0; s < sections.size(); s++) {
                Section sec = sections.get(s);
                all.addAll(sec.explanations());
                String slug = "section" + s;
                DifferenceScale scale = ExplanationGrids.scale(sec);
                boolean refined = sec.refined();
                StringBuilder table = new StringBuilder();
                for (Explanation e : sec.explanations()) {
                    INDArray row = Nd4j.concat(0, ExplanationGrids.cells(e, sec, scale, refined).toArray(INDArray[]::new));
                    String png = "images/" + slug + "-sample" + e.sampleId() + "-v" + e.variant() + ".png";
                    Images.writePng(Images.grid(List.of(row), 2, 3), out.resolve(png));
                    table.append(rowHtml(e, png));
                }
                String gridFile = s == 0 ? "grid.png" : "grid-" + slug + ".png";
                if (!sec.explanations().isEmpty()) Images.writePng(grids.section(sec).render(), out.resolve(gridFile));
                body.append(sectionHtml(sec, gridFile, scale, table));
            }
            ExplanationJson.write(out.resolve("results.json"), all);
            Path html = out.resolve("report.html");
            Files.writeString(html, page(body, elapsed), StandardCharsets.UTF_8);
            return html;
        } catch (IOException e) {
            throw new ModelFormatException("cannot write the report to " + out + ": " + e.getMessage(), e);
        }
    }

    private String className(int c) {
        if (c < 0) return "(any other)";
        return c < classNames.size() ? c + " " + classNames.get(c) : String.valueOf(c);
    }

    private String rowHtml(Explanation e, String png) {
        return String.format(Locale.ROOT,
                "<tr><td>%d%s</td><td><img src=\"%s\" alt=\"sample %d\"></td><td>%s</td><td>%s</td>"
                        + "<td>%.3f / %.3f</td><td>%.3f / %.3f</td><td>%.3f / %.3f</td><td class=\"%s\">%s</td><td>%d</td></tr>%n",
                e.sampleId(), e.variant() > 0 ? " (v" + e.variant() + ")" : "", png, e.sampleId(),
                esc(className(e.source())), esc(className(e.target())),
                e.before().source(), e.before().target(), e.afterAttack().source(), e.afterAttack().target(),
                e.after().source(), e.after().target(), e.success() ? "ok" : "fail", e.success() ? "yes" : "no",
                e.iterations());
    }

    private String sectionHtml(Section sec, String gridFile, DifferenceScale scale, StringBuilder table) {
        List<Explanation> list = sec.explanations();
        double l1 = meanAbsChange(list, sec.originals());
        double maskShare = list.stream().mapToDouble(e -> e.mask().toINDArray().meanNumber().doubleValue()).average().orElse(0);
        ChangeLocality locality = locality(list, sec.originals());
        return String.format(Locale.ROOT, """
                <h2>%s</h2>
                <p class="summary">Flip rate <b>%.1f%%</b> (%d of %d) &middot; pre-explanation flip rate %.1f%% &middot;
                mean |change| per pixel %.4f &middot; mean mask area %.1f%%</p>
                <p class="summary">Where it changed: %s</p>
                <p>Difference maps: |x' - x| (the largest over the channels), black 0 to white %s for every row of this section.</p>
                <p><img class="grid" src="%s" alt="grid of %s"></p>
                <table><tr><th>sample</th><th>%s</th><th>source</th><th>target</th>
                <th>p(source) / p(target) before</th><th>after attack</th><th>after refinement</th><th>success</th><th>iterations</th></tr>
                %s</table>
                """, esc(sec.title()), 100 * flipRate(list), list.stream().filter(Explanation::success).count(), list.size(),
                100 * (list.isEmpty() ? 0 : list.stream().filter(Explanation::attackSuccess).count() / (double) list.size()),
                l1, 100 * maskShare, esc(describe(locality)), LabelledGrid.tick(scale.max()), gridFile, esc(sec.title()),
                esc(String.join(" | ", sec.columns())), table);
    }

    /**
     * How localised the explanations' change is ({@link ChangeLocality} with its defaults: pixels changed by more than
     * one 8-bit level, the share of the change in the 10% most-changed pixels).
     */
    public static ChangeLocality locality(List<Explanation> list, Map<Long, INDArray> originals) {
        ChangeLocality locality = new ChangeLocality();
        for (Explanation e : list) {
            INDArray original = originals.get(e.sampleId());
            if (original == null) throw new IllegalArgumentException("no original image for sample " + e.sampleId());
            INDArray cf = ExplanationGrids.asBatch(e.explanation().toINDArray());
            locality.add(original.reshape(cf.shape()), cf);
        }
        return locality;
    }

    /** "x% of the pixels changed by more than 1/255; the 10% most-changed pixels carry y% of the change". */
    public static String describe(ChangeLocality locality) {
        String changed = locality.changedShare().isDefined()
                ? String.format(Locale.ROOT, "%.1f%%", 100 * locality.changedShare().value()) : "n/a";
        String top = locality.topShare().isDefined()
                ? String.format(Locale.ROOT, "%.1f%%", 100 * locality.topShare().value()) : "n/a";
        String by = locality.threshold() == ChangeLocality.ONE_LEVEL ? "1/255"
                : String.format(Locale.ROOT, "%.4g", locality.threshold());
        return String.format(Locale.ROOT, "%s of the pixels changed by more than %s; the %.0f%% most-changed pixels "
                + "carry %s of the change", changed, by, 100 * locality.topFraction(), top);
    }

    /**
     * Mean over explanations of the mean absolute change per pixel ({@link ImageDistances.Norm#L1}, the measure of
     * ace evaluate's "mean l1", here over every pair given).
     */
    public static double meanAbsChange(List<Explanation> list, Map<Long, INDArray> originals) {
        ImageDistances distances = new ImageDistances();
        for (Explanation e : list) {
            INDArray original = originals.get(e.sampleId());
            if (original == null) throw new IllegalArgumentException("no original image for sample " + e.sampleId());
            INDArray cf = ExplanationGrids.asBatch(e.explanation().toINDArray());
            distances.add(original.reshape(cf.shape()).castTo(cf.dataType()), cf);
        }
        return list.isEmpty() ? 0 : distances.value(ImageDistances.Norm.L1).value();
    }

    private String page(StringBuilder body, Duration elapsed) {
        StringBuilder set = new StringBuilder();
        settings.forEach((k, v) -> set.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(v)).append("</td></tr>\n"));
        return String.format(Locale.ROOT, """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>%s</title>
                <style>
                body { font-family: sans-serif; margin: 2em; color: #222; }
                table { border-collapse: collapse; margin-bottom: 1.5em; }
                td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: center; font-size: 90%%; }
                .ok { color: #070; font-weight: bold; } .fail { color: #a00; font-weight: bold; }
                img { image-rendering: pixelated; } .summary { font-size: 110%%; }
                </style></head><body>
                <h1>%s</h1>
                <p>Run time: <b>%s</b> (wall clock, including model loading). Every grid names its columns; methods
                without a refinement show %s.</p>
                %s
                <h2>Settings</h2><table>%s</table>
                <p>Every result, with its images, is in <a href="results.json">results.json</a>.</p>
                </body></html>
                """, esc(title), esc(title), formatDuration(elapsed), esc(String.join(" | ", UNREFINED_COLUMNS)), body, set);
    }

    public static String formatDuration(Duration d) {
        long s = d.toSeconds();
        return s >= 60 ? String.format(Locale.ROOT, "%d min %d s", s / 60, s % 60)
                : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String esc(String s) { return HtmlEscapers.htmlEscaper().escape(s); }
}
