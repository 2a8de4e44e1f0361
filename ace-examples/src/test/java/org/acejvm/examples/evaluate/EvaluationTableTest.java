package org.acejvm.examples.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.acejvm.metrics.MetricValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTableTest {
    @TempDir Path dir;

    private static MethodResult ace() {
        return new MethodResult("ACE-l1", 16, 12, MetricValue.of(0.75, 16), MetricValue.of(3.14159, 12),
                MetricValue.of(5.5, 12), MetricValue.of(0.4321, 16), MetricValue.of(0.91234, 12),
                MetricValue.of(0.012345, 12), MetricValue.of(61.237, 16), null);
    }

    /** A method whose counterfactuals all failed: FID, sFID, S3 and l1 are undefined, with the reason. */
    private static MethodResult failed() {
        MetricValue none = MetricValue.undefined("no successful counterfactuals", 0);
        return new MethodResult("plain-PGD", 16, 0, MetricValue.of(0.0, 16), none, none, MetricValue.of(-0.25, 16),
                none, none, MetricValue.of(20.0, 16), null);
    }

    private EvaluationTable table() {
        return new EvaluationTable("Test table").note("images", 16).note("seed", 7)
                .note("feature network", "penultimate layer of fmnist-cnn").row(ace()).row(failed());
    }

    @Test void markdownHasNotesHeaderAndOneRowPerMethod() {
        String md = table().markdown();
        assertThat(md).startsWith("# Test table\n")
                .contains("- **images**: 16", "- **seed**: 7", "- **feature network**: penultimate layer of fmnist-cnn")
                .contains("| method | FR (%) ↑ | FID ↓ | sFID ↓ | COUT ↑ | S3 ↑ | mean l1 ↓ | time/image (s) |")
                .contains("|---|---:|---:|---:|---:|---:|---:|---:|")
                .contains("| ACE-l1 | 75.0 | 3.14 | 5.50 | 0.432 | 0.912 | 0.0123 | 61.24 |");
        assertThat(md.lines().filter(l -> l.startsWith("| ")).count()).isEqualTo(3); // header + 2 rows
    }

    @Test void undefinedValuesAreNotApplicableWithTheirReasonNeverNaN() {
        String md = table().markdown();
        assertThat(md).contains("| plain-PGD | 0.0 | n/a [1] | n/a [1] | -0.250 | n/a [1] | n/a [1] | 20.00 |")
                .contains("[1] n/a: no successful counterfactuals")
                .doesNotContain("NaN");
        String html = table().html();
        assertThat(html).contains("<td class=\"na\">n/a [1]</td>").contains("<li>n/a: no successful counterfactuals</li>")
                .doesNotContain("NaN");
    }

    @Test void distinctReasonsGetDistinctNumbers() {
        MethodResult r = new MethodResult("X", 1, 1, MetricValue.of(1, 1),
                MetricValue.undefined("the Frechet distance needs at least 2 samples", 1),
                MetricValue.undefined("split 0: too few", 1), MetricValue.of(0.5, 1), MetricValue.of(0.9, 1),
                MetricValue.of(0.01, 1), MetricValue.of(3, 1), null);
        String md = new EvaluationTable("t").row(r).markdown();
        assertThat(md).contains("| X | 100.0 | n/a [1] | n/a [2] |")
                .contains("[1] n/a: the Frechet distance needs at least 2 samples")
                .contains("[2] n/a: split 0: too few");
    }

    @Test void htmlHasTheSameContentEscaped() {
        String html = table().note("settings", "lambda <0.001> & more").html();
        assertThat(html).startsWith("<!DOCTYPE html>")
                .contains("<title>Test table</title>")
                .contains("<li><b>seed</b>: 7</li>")
                .contains("lambda &lt;0.001&gt; &amp; more")
                .contains("<th>FR (%) ↑</th>", "<th>time/image (s)</th>")
                .contains("<tr><td>ACE-l1</td><td>75.0</td><td>3.14</td><td>5.50</td><td>0.432</td><td>0.912</td>"
                        + "<td>0.0123</td><td>61.24</td></tr>");
    }

    @Test void lambdaTableAndFiles() throws Exception {
        EvaluationTable t = table().lambdaRows("Flip rate against lambda", List.of(
                new EvaluationTable.LambdaRow(1e-4, 4, MetricValue.of(1.0, 4), MetricValue.of(1.0, 4), MetricValue.of(2.5, 4)),
                new EvaluationTable.LambdaRow(1e-2, 4, MetricValue.of(0.25, 4), MetricValue.of(0.5, 4), MetricValue.of(2.0, 4))));
        Path md = t.write(dir);
        assertThat(md).isEqualTo(dir.resolve("table.md"));
        String text = Files.readString(md);
        assertThat(text).contains("## Flip rate against lambda")
                .contains("| lambda | images | FR (%) | pre-explanation FR (%) | time/image (s) |")
                .contains("| 0.0001 | 4 | 100.0 | 100.0 | 2.50 |")
                .contains("| 0.01 | 4 | 25.0 | 50.0 | 2.00 |");
        assertThat(Files.readString(dir.resolve("table.html"))).contains("<table class=\"lambda\">");
    }

    @Test void pairTableWithoutAnOracleHasOneFlipRateColumnPerMethod() {
        String md = table().pairRows(List.of("ACE-l1", "plain-PGD"), List.of(
                new EvaluationTable.PairRow("Trouser -> Dress", 4, List.of(MetricValue.of(1.0, 4), MetricValue.of(0.5, 4))))).markdown();
        assertThat(md).contains("## Flip rate (%) per class pair (source -> target)\n\n| pair | images | ACE-l1 | plain-PGD |")
                .contains("| Trouser -> Dress | 4 | 100.0 | 50.0 |");
    }

    /** The oracle's agreement per pair follows the flip rates; a pair without a success has no agreement, with the reason. */
    @Test void pairTableWithAnOracleAddsItsAgreementPerMethod() {
        MetricValue none = MetricValue.undefined("no successful counterfactuals", 0);
        EvaluationTable t = new EvaluationTable("t").row(ace()).pairRows(List.of("ACE-l1", "plain-PGD"), List.of(
                new EvaluationTable.PairRow("Trouser -> Dress", 4, List.of(MetricValue.of(1.0, 4), MetricValue.of(0.5, 4)),
                        List.of(MetricValue.of(0.75, 4), MetricValue.of(0.0, 2))),
                new EvaluationTable.PairRow("Bag -> Shirt", 2, List.of(MetricValue.of(0.5, 2), MetricValue.of(0.0, 2)),
                        List.of(MetricValue.of(1.0, 1), none))));
        String md = t.markdown();
        assertThat(md).contains("## Flip rate and oracle agreement (%) per class pair (source -> target)\n\n"
                        + "| pair | images | FR ACE-l1 | FR plain-PGD | oracle agrees ACE-l1 | oracle agrees plain-PGD |")
                .contains("| Trouser -> Dress | 4 | 100.0 | 50.0 | 75.0 | 0.0 |")
                .contains("| Bag -> Shirt | 2 | 50.0 | 0.0 | 100.0 | n/a [1] |")
                .contains("[1] n/a: no successful counterfactuals");
        assertThat(t.html()).contains("<th>oracle agrees ACE-l1</th>");
    }

    @Test void pairRowsWithTheWrongNumberOfValuesAreRejectedNamingThePair() {
        EvaluationTable t = table();
        List<String> methods = List.of("ACE-l1", "plain-PGD");
        assertThatThrownBy(() -> t.pairRows(methods, List.of(new EvaluationTable.PairRow("Bag -> Shirt", 2,
                List.of(MetricValue.of(1.0, 2)))))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pair Bag -> Shirt: 1 flip rates for 2 methods");
        assertThatThrownBy(() -> t.pairRows(methods, List.of(new EvaluationTable.PairRow("Bag -> Shirt", 2,
                List.of(MetricValue.of(1.0, 2), MetricValue.of(1.0, 2)), List.of(MetricValue.of(1.0, 2))))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pair Bag -> Shirt: 1 oracle agreements for 2 methods");
    }
}
