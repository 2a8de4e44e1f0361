package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.acejvm.core.InvalidInputException;
import org.acejvm.examples.data.MnistDigits;
import org.acejvm.examples.evaluate.EvaluationPlotsTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ace evaluate --generator mnist-cvae}: the latent methods' rows, and the options it refuses before loading anything. */
class EvaluateGeneratorTest {
    @RegisterExtension final ConsoleCapture console = new ConsoleCapture();
    @TempDir Path dir;

    @BeforeAll
    static void digits() {
        System.setProperty(MnistDigits.DIR_PROPERTY, Path.of("..").resolve(MnistDigits.DEFAULT_DIR).toString());
    }

    private static String[] args(String command, Path out, String... options) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(options));
        all.addAll(List.of("--out", out.toString()));
        return all.toArray(String[]::new);
    }

    /** One row of the first table of table.md: method, flips, digits, then LPR, LPR (z), LPR (z) flipped, iterations, time, 6 changes. */
    private record Row(String method, int flips, int digits, double[] values) {}

    private static final Pattern ROW = Pattern.compile("\\| ([A-Za-z_ ]+) \\| ([0-9.]+)% \\((\\d+)/(\\d+)\\) \\|(.*)\\|");

    private static List<Row> rows(String markdown) {
        List<Row> rows = new ArrayList<>();
        for (String line : markdown.split("\n## ")[0].lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) continue;
            String[] cells = m.group(5).split("\\|");
            double[] values = new double[cells.length];
            for (int i = 0; i < cells.length; i++) values[i] = cells[i].isBlank() || cells[i].strip().equals("-") ? Double.NaN : Double.parseDouble(cells[i].strip());
            int flips = Integer.parseInt(m.group(3)), n = Integer.parseInt(m.group(4));
            assertThat(Double.parseDouble(m.group(2))).as(line).isCloseTo(100.0 * flips / n, org.assertj.core.data.Offset.offset(0.05));
            rows.add(new Row(m.group(1), flips, n, values));
        }
        return rows;
    }

    /** The table without its time-per-query column (wall time differs from run to run). */
    private static String withoutTimes(String markdown) {
        return markdown.replaceAll("(?m)^(\\| [^|]+ \\| [^|]+% \\([^|]+\\) \\|(?: [^|]+ \\|){4}) [0-9.]+ \\|", "$1 T |");
    }

    @Test
    void latentRowsForAipAndFgsmWithTheChartAndTheGlobalTable() throws Exception {
        int code = AceCommand.execute(args("evaluate", dir, "--generator", "mnist-cvae", "--count", "10", "--methods", "aip,fgsm", "--quiet"));
        assertThat(code).as(console.err()).isZero();
        Path ev = dir.resolve("evaluate");
        String md = Files.readString(ev.resolve("table.md"));
        assertThat(console.out()).contains(md).contains("table.html");
        List<Row> rows = rows(md);
        assertThat(rows).extracting(Row::method).containsExactly("AIP", "FGSM");
        for (Row r : rows) {
            assertThat(r.digits()).isEqualTo(10);
            assertThat(r.flips()).isBetween(0, 10);
            assertThat(r.values()).hasSize(5 + 6);
            for (int k = 0; k < 3; k++) if (!Double.isNaN(r.values()[k])) assertThat(r.values()[k]).as(r.method() + " LPR").isBetween(0.0, 1.0);
            assertThat(r.values()[4]).as("time per query").isGreaterThanOrEqualTo(0);
            for (int k = 5; k < 11; k++) assertThat(r.values()[k]).as(r.method() + " attribute change").isGreaterThanOrEqualTo(0);
        }
        Row aip = rows.get(0), fgsm = rows.get(1);
        assertThat(aip.flips()).as("AIP flips (98.6% over 500 digits)").isGreaterThanOrEqualTo(8);
        assertThat(aip.values()[3]).as("AIP's mean iterations").isBetween(1.0, 500.0);
        assertThat(fgsm.values()[3]).as("FGSM is one step").isEqualTo(1.0);
        assertThat(aip.values()[5]).as("AIP redraws the digit: its area changes").isGreaterThan(0);

        // the global explanations: AIP's pairs (a pixel method has no code to probe), adding up to its flips
        String global = md.substring(md.indexOf("## Global explanations per digit pair"));
        assertThat(global).doesNotContain("| FGSM |");
        Matcher pair = Pattern.compile("(?m)^\\| AIP \\| \\d -> \\d \\| (\\d+) \\| (area|length|thickness|slant|width|height) \\|").matcher(global);
        int pairs = 0, digits = 0;
        while (pair.find()) {
            pairs++;
            digits += Integer.parseInt(pair.group(1));
        }
        assertThat(digits).isEqualTo(aip.flips());
        assertThat(global).containsPattern("\\| AIP \\| all \\| \\| \\| \\| \\| \\d+ of " + pairs + " pairs \\|");

        String html = Files.readString(ev.resolve("table.html"));
        assertThat(html).contains("<td>AIP</td><td>" + aip.flips() * 10 + ".0% (" + aip.flips() + "/10)</td>")
                .contains("<td>FGSM</td><td>" + fgsm.flips() * 10 + ".0% (" + fgsm.flips() + "/10)</td>")
                .contains("<img src=\"global_importance.png\"").contains("<th>change of slant</th>");
        EvaluationPlotsTest.assertNonBlankPng(ev.resolve("global_importance.png"));
        EvaluationPlotsTest.assertNonBlankPng(ev.resolve("grid.png"));

        // one evaluation, two commands: latent-demo with the same digits and methods gives the same table
        Path demo = dir.resolve("demo");
        assertThat(AceCommand.execute(args("latent-demo", demo, "--count", "10", "--methods", "aip,fgsm", "--quiet"))).isZero();
        assertThat(withoutTimes(Files.readString(demo.resolve("table.md")))).isEqualTo(withoutTimes(md)).contains(" T |");
    }

    /** The exception the command throws (the type), and the one line {@code ace} prints for it (exit code 1). */
    private Exception refused(String... options) {
        Exception[] thrown = new Exception[1];
        CommandLine cmd = new CommandLine(new AceCommand());
        cmd.setExecutionExceptionHandler((ex, c, p) -> {
            thrown[0] = ex;
            return 1;
        });
        cmd.execute(args("evaluate", dir, options));
        assertThat(thrown[0]).as(String.join(" ", options)).isNotNull();
        console.resetErr();
        assertThat(AceCommand.execute(args("evaluate", dir, options))).isEqualTo(1);
        String text = console.err().strip();
        assertThat(text).doesNotContain("\tat ").isEqualTo("ace: error: " + thrown[0].getMessage());
        assertThat(text.lines()).hasSize(1);
        assertThat(dir.resolve("evaluate")).doesNotExist(); // refused before anything was loaded or written
        return thrown[0];
    }

    @Test
    void optionsOfTheAceMethodsAreRefusedWithTheGenerator() {
        for (String[] option : new String[][] {{"--fraction", "0.2"}, {"--lambdas", "0.01"}, {"--resume"}, {"--overwrite"},
                {"--steps", "5"}, {"--lambda", "0.01"}, {"--batch-size", "4"}, {"--no-oracle"}, {"--report-count", "0"}}) {
            List<String> options = new ArrayList<>(List.of("--generator", "mnist-cvae"));
            options.addAll(List.of(option));
            Exception e = refused(options.toArray(String[]::new));
            assertThat(e).isExactlyInstanceOf(InvalidInputException.class);
            assertThat(e.getMessage()).isEqualTo(option[0] + " applies to the ACE methods on Fashion-MNIST; evaluate "
                    + "--generator takes --count, --methods, --seed, --out and --quiet");
        }
        // --diffusion and --settings are explain's options, not evaluate's: a usage error, one line
        for (String option : new String[] {"--diffusion", "--settings"}) {
            console.resetErr();
            assertThat(AceCommand.execute(args("evaluate", dir, "--generator", "mnist-cvae", option, "x"))).isEqualTo(2);
            assertThat(console.err().strip().lines()).hasSize(1).first().asString().contains("Unknown option");
        }
    }

    @Test
    void unknownLatentMethodOtherGeneratorAndBadCountAreRefused() {
        Exception e = refused("--generator", "mnist-cvae", "--methods", "aip,dime");
        assertThat(e).isExactlyInstanceOf(InvalidInputException.class);
        assertThat(e.getMessage()).isEqualTo("--methods: unknown method 'dime' (expected aip, xgems, latent-attack, aip-r or fgsm)");
        // the ACE methods' names are not latent methods
        assertThat(refused("--generator", "mnist-cvae", "--methods", "ACE-l1").getMessage()).contains("'ACE-l1'");

        // and the latent methods' names without --generator
        e = refused("--methods", "ACE-l1,aip");
        assertThat(e).isExactlyInstanceOf(InvalidInputException.class);
        assertThat(e.getMessage()).isEqualTo("--methods: aip is a latent method: add --generator mnist-cvae");

        e = refused("--generator", "decoder.onnx");
        assertThat(e).isExactlyInstanceOf(InvalidInputException.class);
        assertThat(e.getMessage()).isEqualTo("--generator: evaluate supports the embedded latent default 'mnist-cvae' only, "
                + "got 'decoder.onnx' (ace explain --generator also takes your own ONNX decoder and encoder)");

        e = refused("--generator", "mnist-cvae", "--count", "0");
        assertThat(e).isExactlyInstanceOf(InvalidInputException.Range.class);
        assertThat(e.getMessage()).isEqualTo("--count: expected at least 1, got 0");
    }

    /** A folder holding the ACE methods' evaluation (hours of work) is not overwritten by the latent table. */
    @Test
    void anEvaluationOfTheAceMethodsIsNotOverwritten() throws Exception {
        Path ev = Files.createDirectories(dir.resolve("evaluate"));
        Files.writeString(ev.resolve("settings.txt"), "seed=0\n");
        Files.writeString(ev.resolve("table.md"), "ACE table\n");
        assertThat(AceCommand.execute(args("evaluate", dir, "--generator", "mnist-cvae", "--count", "1", "--quiet"))).isEqualTo(1);
        assertThat(console.err()).contains("holds an evaluation of the ACE methods").contains("another --out");
        assertThat(Files.readString(ev.resolve("table.md"))).isEqualTo("ACE table\n");
    }

    @Test
    void helpSaysHowToGetTheLatentRows() {
        assertThat(AceCommand.execute("evaluate", "--help")).isZero();
        String help = console.out().replaceAll("\\s+", " "); // as one line: picocli wraps at 80 columns
        assertThat(help).contains("--generator").contains("mnist-cvae").contains("aip, xgems, latent-attack, aip-r and fgsm")
                .contains("global_importance.png");
    }
}
