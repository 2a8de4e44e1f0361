package org.acejvm.examples.evaluate;

import com.google.common.html.HtmlEscapers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import org.acejvm.core.Checks;
import org.acejvm.metrics.MetricValue;

/**
 * The results table of {@code ace evaluate}, laid out like Tables 1 and 5 of the ACE paper: one row per method,
 * columns FR, FID, sFID, COUT, S3, mean l1 and time per image, with the run's facts (image count, seed, feature
 * network, settings) as header notes. An undefined metric (for example FID when no counterfactual succeeded) is
 * shown as "n/a" with a numbered note giving the reason; no NaN ever appears. Written as Markdown and as HTML.
 */
public final class EvaluationTable {
    /** One row of the flip-rate-against-lambda table. */
    public record LambdaRow(double lambda, long images, MetricValue flipRate, MetricValue preFlipRate,
                            MetricValue secondsPerImage) {}

    /**
     * One class pair (source -> target) of the per-pair table: its image count, each method's flip rate and, when an
     * oracle judged them, each method's oracle agreement over the pair's successful counterfactuals (else empty).
     */
    public record PairRow(String pair, long images, List<MetricValue> flipRates, List<MetricValue> oracleAgreements) {
        public PairRow {
            flipRates = List.copyOf(flipRates);
            oracleAgreements = List.copyOf(oracleAgreements);
        }

        /** A row without an oracle's verdict. */
        public PairRow(String pair, long images, List<MetricValue> flipRates) {
            this(pair, images, flipRates, List.of());
        }
    }

    /** A share as a percentage with one decimal: the flip rates and oracle agreements of every table. */
    private static final DoubleFunction<String> PERCENT = v -> String.format(Locale.ROOT, "%.1f", 100 * v);

    private record Column(String header, Function<MethodResult, MetricValue> value, DoubleFunction<String> format) {}

    private static final List<Column> COLUMNS = List.of(
            new Column("FR (%) ↑", MethodResult::flipRate, PERCENT),
            new Column("FID ↓", MethodResult::fid, v -> String.format(Locale.ROOT, "%.2f", v)),
            new Column("sFID ↓", MethodResult::sfid, v -> String.format(Locale.ROOT, "%.2f", v)),
            new Column("COUT ↑", MethodResult::cout, v -> String.format(Locale.ROOT, "%.3f", v)),
            new Column("S3 ↑", MethodResult::s3, v -> String.format(Locale.ROOT, "%.3f", v)),
            new Column("mean l1 ↓", MethodResult::meanL1, v -> String.format(Locale.ROOT, "%.4f", v)),
            new Column("time/image (s)", MethodResult::secondsPerImage, v -> String.format(Locale.ROOT, "%.2f", v)));

    /** Shown when the rows carry an oracle's verdict ({@link MethodResult#oracleAgreement()}). */
    private static final List<Column> ORACLE_COLUMNS = List.of(
            new Column("oracle agrees (%) ↑", MethodResult::oracleAgreement, PERCENT),
            new Column("oracle p(target) ↑", MethodResult::oracleTargetAfter, v -> String.format(Locale.ROOT, "%.3f", v)));

    private List<Column> columns() {
        boolean oracle = rows.stream().anyMatch(r -> r.oracleAgreement() != null);
        if (!oracle) return COLUMNS;
        List<Column> all = new ArrayList<>(COLUMNS.subList(0, COLUMNS.size() - 1));
        all.addAll(ORACLE_COLUMNS);
        all.add(COLUMNS.get(COLUMNS.size() - 1));
        return all;
    }

    private final String title;
    private final Map<String, String> notes = new LinkedHashMap<>();
    private final List<MethodResult> rows = new ArrayList<>();
    private final List<LambdaRow> lambdaRows = new ArrayList<>();
    private String lambdaTitle = "Flip rate against lambda";
    private final List<PairRow> pairRows = new ArrayList<>();
    private final List<String> pairMethods = new ArrayList<>();

    public EvaluationTable(String title) {
        Checks.notNull(title, "title");
        this.title = title;
    }

    /** A header note ("images", "seed", "features", ...), shown above the table in insertion order. */
    public EvaluationTable note(String name, Object value) {
        notes.put(name, String.valueOf(value));
        return this;
    }

    public EvaluationTable row(MethodResult r) {
        Checks.notNull(r, "row");
        rows.add(r);
        return this;
    }

    /** The lambda sweep's rows and their table's title. */
    public EvaluationTable lambdaRows(String sweepTitle, List<LambdaRow> sweep) {
        lambdaTitle = sweepTitle;
        lambdaRows.clear();
        lambdaRows.addAll(sweep);
        return this;
    }

    /**
     * The flip rate (and oracle agreement, when the rows carry it) of each method per class pair; {@code methods}
     * names the rate columns of every row.
     */
    public EvaluationTable pairRows(List<String> methods, List<PairRow> pairs) {
        Checks.notNull(methods, "methods");
        Checks.notNull(pairs, "pairs");
        for (PairRow r : pairs) {
            if (r.flipRates().size() != methods.size()) {
                throw new IllegalArgumentException("pair " + r.pair() + ": " + r.flipRates().size() + " flip rates for "
                        + methods.size() + " methods");
            }
            if (!r.oracleAgreements().isEmpty() && r.oracleAgreements().size() != methods.size()) {
                throw new IllegalArgumentException("pair " + r.pair() + ": " + r.oracleAgreements().size()
                        + " oracle agreements for " + methods.size() + " methods");
            }
        }
        pairMethods.clear();
        pairMethods.addAll(methods);
        pairRows.clear();
        pairRows.addAll(pairs);
        return this;
    }

    public List<MethodResult> rows() { return List.copyOf(rows); }

    /** Column headers, in order (method first; the oracle's columns when the rows have them). */
    public List<String> headers() {
        List<String> h = new ArrayList<>();
        h.add("method");
        for (Column c : columns()) h.add(c.header());
        return h;
    }

    /** The reasons of undefined values, numbered in order of appearance (the same reason shares its number). */
    private static final class Footnotes {
        final List<String> reasons = new ArrayList<>();

        String cell(MetricValue v, DoubleFunction<String> format) {
            if (v.isDefined()) return format.apply(v.value());
            String reason = v.reason().orElseThrow();
            int i = reasons.indexOf(reason);
            if (i < 0) {
                reasons.add(reason);
                i = reasons.size() - 1;
            }
            return "n/a [" + (i + 1) + "]";
        }
    }

    private List<List<String>> cells(Footnotes fn) {
        List<List<String>> out = new ArrayList<>();
        for (MethodResult r : rows) {
            List<String> line = new ArrayList<>();
            line.add(r.method());
            for (Column c : columns()) {
                MetricValue v = c.value().apply(r);
                line.add(v == null ? "-" : fn.cell(v, c.format()));
            }
            out.add(line);
        }
        return out;
    }

    private List<List<String>> lambdaCells(Footnotes fn) {
        List<List<String>> out = new ArrayList<>();
        for (LambdaRow r : lambdaRows) {
            out.add(List.of(java.math.BigDecimal.valueOf(r.lambda()).stripTrailingZeros().toPlainString(), Long.toString(r.images()),
                    fn.cell(r.flipRate(), PERCENT),
                    fn.cell(r.preFlipRate(), PERCENT),
                    fn.cell(r.secondsPerImage(), v -> String.format(Locale.ROOT, "%.2f", v))));
        }
        return out;
    }

    private boolean pairOracle() {
        return pairRows.stream().anyMatch(r -> !r.oracleAgreements().isEmpty());
    }

    private String pairTitle() {
        return pairOracle() ? "Flip rate and oracle agreement (%) per class pair (source -> target)"
                : "Flip rate (%) per class pair (source -> target)";
    }

    /** "pair | images | <method>..." without an oracle; with one, "FR <method>..." then "oracle agrees <method>...". */
    private List<String> pairHeaders() {
        List<String> h = new ArrayList<>(List.of("pair", "images"));
        if (!pairOracle()) {
            h.addAll(pairMethods);
            return h;
        }
        for (String m : pairMethods) h.add("FR " + m);
        for (String m : pairMethods) h.add("oracle agrees " + m);
        return h;
    }

    private List<List<String>> pairCells(Footnotes fn) {
        boolean oracle = pairOracle();
        List<List<String>> out = new ArrayList<>();
        for (PairRow r : pairRows) {
            List<String> line = new ArrayList<>(List.of(r.pair(), Long.toString(r.images())));
            for (MetricValue v : r.flipRates()) line.add(fn.cell(v, PERCENT));
            if (oracle) {
                for (int m = 0; m < pairMethods.size(); m++) {
                    line.add(r.oracleAgreements().isEmpty() ? "-"
                            : fn.cell(r.oracleAgreements().get(m), PERCENT));
                }
            }
            out.add(line);
        }
        return out;
    }

    private static final List<String> LAMBDA_HEADERS =
            List.of("lambda", "images", "FR (%)", "pre-explanation FR (%)", "time/image (s)");

    /** The table as Markdown: title, notes, the table, the reasons of "n/a" cells, the lambda table. */
    public String markdown() {
        Footnotes fn = new Footnotes();
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        notes.forEach((k, v) -> sb.append("- **").append(k).append("**: ").append(v).append('\n'));
        sb.append('\n');
        appendMarkdownTable(sb, headers(), cells(fn));
        if (!pairRows.isEmpty()) {
            sb.append("\n## ").append(pairTitle()).append("\n\n");
            appendMarkdownTable(sb, pairHeaders(), pairCells(fn));
        }
        if (!lambdaRows.isEmpty()) {
            sb.append("\n## ").append(lambdaTitle).append("\n\n");
            appendMarkdownTable(sb, LAMBDA_HEADERS, lambdaCells(fn));
        }
        if (!fn.reasons.isEmpty()) {
            sb.append('\n');
            for (int i = 0; i < fn.reasons.size(); i++) sb.append("[").append(i + 1).append("] n/a: ").append(fn.reasons.get(i)).append("  \n");
        }
        return sb.toString();
    }

    private static void appendMarkdownTable(StringBuilder sb, List<String> headers, List<List<String>> body) {
        sb.append("| ").append(String.join(" | ", headers)).append(" |\n|");
        for (int i = 0; i < headers.size(); i++) sb.append(i == 0 ? "---|" : "---:|");
        sb.append('\n');
        for (List<String> line : body) {
            sb.append("| ").append(String.join(" | ", line.stream().map(s -> s.replace("|", "\\|")).toList())).append(" |\n");
        }
    }

    /** The same content as a standalone HTML page. */
    public String html() {
        Footnotes fn = new Footnotes();
        StringBuilder sb = htmlPage(title).append("<ul class=\"notes\">\n");
        notes.forEach((k, v) -> sb.append("<li><b>").append(esc(k)).append("</b>: ").append(esc(v)).append("</li>\n"));
        sb.append("</ul>\n");
        appendHtmlTable(sb, "results", headers(), cells(fn));
        if (!pairRows.isEmpty()) {
            sb.append("<h2>").append(esc(pairTitle())).append("</h2>\n");
            appendHtmlTable(sb, "pairs", pairHeaders(), pairCells(fn));
        }
        if (!lambdaRows.isEmpty()) {
            sb.append("<h2>").append(esc(lambdaTitle)).append("</h2>\n");
            appendHtmlTable(sb, "lambda", LAMBDA_HEADERS, lambdaCells(fn));
        }
        if (!fn.reasons.isEmpty()) {
            sb.append("<ol class=\"reasons\">\n");
            for (String r : fn.reasons) sb.append("<li>n/a: ").append(esc(r)).append("</li>\n");
            sb.append("</ol>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    /** The start of a standalone HTML page with the tables' style, up to its {@code <h1>} title. */
    static StringBuilder htmlPage(String title) {
        return new StringBuilder().append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>\nbody { font-family: sans-serif; margin: 2em; color: #222; }\n")
                .append("table { border-collapse: collapse; margin: 1em 0; }\n")
                .append("td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }\n")
                .append("td:first-child, th:first-child { text-align: left; }\n")
                .append(".na { color: #a00; }\n</style></head><body>\n<h1>").append(esc(title)).append("</h1>\n");
    }

    static void appendHtmlTable(StringBuilder sb, String cssClass, List<String> headers, List<List<String>> body) {
        sb.append("<table class=\"").append(cssClass).append("\">\n<tr>");
        for (String h : headers) sb.append("<th>").append(esc(h)).append("</th>");
        sb.append("</tr>\n");
        for (List<String> line : body) {
            sb.append("<tr>");
            for (String cell : line) {
                sb.append(cell.startsWith("n/a") ? "<td class=\"na\">" : "<td>").append(esc(cell)).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    /** Writes {@code table.md} and {@code table.html} into {@code dir}; returns the Markdown file. */
    public Path write(Path dir) {
        try {
            Files.createDirectories(dir);
            Path md = dir.resolve("table.md");
            Files.writeString(md, markdown(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("table.html"), html(), StandardCharsets.UTF_8);
            return md;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the table to " + dir + ": " + e.getMessage(), e);
        }
    }

    static String esc(String s) { return HtmlEscapers.htmlEscaper().escape(s); }
}
