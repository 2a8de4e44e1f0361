package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;
import org.acejvm.examples.evaluate.EvaluationPlotsTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ace evaluate}: argument errors (one line, non-zero exit, before any model is loaded) and a tiny real run. */
class EvaluateCommandTest {
    @TempDir Path dir;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream savedErr;
    private PrintStream savedOut;

    @BeforeEach void capture() {
        savedErr = System.err;
        savedOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach void restore() {
        System.setErr(savedErr);
        System.setOut(savedOut);
    }

    private String errorLine() {
        String text = err.toString(StandardCharsets.UTF_8).strip();
        String[] lines = text.lines().filter(l -> l.startsWith("ace")).toArray(String[]::new);
        assertThat(text).doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(lines).as(text).hasSize(1);
        return lines[0];
    }

    private String helpText() {
        out.reset();
        assertThat(AceCommand.execute("evaluate", "--help")).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private int evaluate(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "evaluate";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--out";
        all[args.length + 2] = dir.toString();
        return AceCommand.execute(all);
    }

    @Test void unknownMethod() {
        assertThat(evaluate("--methods", "ACE-l1,DiME")).isNotZero();
        assertThat(errorLine()).contains("DiME").contains("ACE-l1, ACE-l2, Pre-CE, F-CE, FR-CE, plain-PGD");
    }

    @Test void countMustBePositive() {
        assertThat(evaluate("--count", "0")).isNotZero();
        assertThat(errorLine()).contains("--count").contains("0");
    }

    @Test void lambdasMustBePositive() {
        assertThat(evaluate("--lambdas", "0.001,-1")).isNotZero();
        assertThat(errorLine()).contains("--lambdas").contains("-1");
    }

    @Test void badLambdaNumberIsAUsageError() {
        assertThat(evaluate("--lambdas", "small")).isEqualTo(2);
        assertThat(errorLine()).contains("small");
    }

    /** The methods fix the attack (PGD) and the distance: evaluate does not offer those options at all. */
    @Test void attackAndDistanceAreNotOptionsOfEvaluate() {
        for (String option : new String[] {"--distance", "--attack", "--kappa"}) {
            err.reset();
            assertThat(evaluate(option, "1")).as(option).isEqualTo(2);
            assertThat(errorLine()).contains("Unknown option").contains(option);
        }
        String help = helpText();
        assertThat(help).contains("--lambda-l2").contains("--steps").contains("--resume")
                .doesNotContain("--distance").doesNotContain("--attack").doesNotContain("--kappa");
    }

    @Test void stepsMustBePositive() {
        assertThat(evaluate("--steps", "0")).isNotZero();
        assertThat(errorLine()).contains("--steps");
    }

    /**
     * Two images, two attack steps, ACE-l1 and plain PGD, a one-value lambda sweep (taken from the main ACE-l1 run):
     * the table has both rows and the header notes, the charts are PNGs, every method streamed its results.
     */
    @Test void smallEndToEndRun() throws Exception {
        int code = evaluate("--count", "2", "--steps", "2", "--batch-size", "2", "--methods", "plain-PGD,ACE-l1",
                "--lambdas", "0.001", "--lambda-count", "2", "--report-count", "1");
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Path ev = dir.resolve("evaluate");
        String md = Files.readString(ev.resolve("table.md"));
        assertThat(md).contains("| method | FR (%) ↑ | FID ↓ | sFID ↓ | COUT ↑ | S3 ↑ | mean l1 ↓ | time/image (s) |")
                .contains("- **images**: 2 correctly classified").contains("- **seed**: 0")
                .contains("- **feature network**: penultimate layer of the shipped classifier fmnist-cnn")
                .contains("## Flip rate against lambda").doesNotContain("NaN")
                .contains("- **change outside the mask**: largest |x' - x| where the mask is 0, over all images: ACE-l1 0, plain-PGD ")
                .contains("## Flip rate (%) per class pair (source -> target)\n\n| pair | images | ACE-l1 | plain-PGD |");
        // per-pair rows: "| Source -> Target | n | rate | rate |", the counts adding up to the 2 images
        List<String> pairs = md.lines().filter(l -> l.matches("\\| [^|]+ -> [^|]+ \\| \\d+ \\|.*")).toList();
        assertThat(pairs).isNotEmpty();
        assertThat(pairs.stream().mapToInt(l -> Integer.parseInt(l.split("\\|")[2].strip())).sum()).isEqualTo(2);
        List<String> rows = md.lines().filter(l -> l.startsWith("| ACE-l1 |") || l.startsWith("| plain-PGD |")).toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).startsWith("| ACE-l1 |"); // table order, whatever the order of --methods
        // two images: FID and sFID need two samples per set, so they can only be n/a with a reason
        assertThat(md).contains("n/a [");
        assertThat(Files.readString(ev.resolve("table.html"))).contains("<td>ACE-l1</td>").contains("<td>plain-PGD</td>");
        EvaluationPlotsTest.assertNonBlankPng(ev.resolve("cout_curves.png"));
        EvaluationPlotsTest.assertNonBlankPng(ev.resolve("fr_vs_lambda.png"));
        assertThat(ev.resolve("report.html")).exists();
        for (String m : List.of("ACE-l1", "plain-PGD")) {
            List<String> lines = Files.readAllLines(ev.resolve(m).resolve("results.jsonl"));
            assertThat(lines).as(m).hasSize(2);
            Explanation e = ExplanationJson.fromJson(lines.get(0));
            assertThat(e.method()).isEqualTo(m);
            assertThat(e.iterations()).isEqualTo(2);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("| ACE-l1 |").contains("table.md");
    }

    /**
     * When several of Pre-CE, F-CE, FR-CE and ACE-l1 are evaluated they share one attack and the refiners run on its
     * pre-explanations: ACE-l1 must then give exactly what its own explainer gives when it runs alone.
     */
    @Test void sharedAttackGivesTheSameExplanationsAsTheMethodAlone() throws Exception {
        String[] common = {"--count", "1", "--steps", "1", "--batch-size", "1", "--lambda-count", "0", "--report-count", "0"};
        Path alone = dir.resolve("alone");
        Path shared = dir.resolve("shared");
        assertThat(AceCommand.execute(concat(common, "--methods", "ACE-l1", "--out", alone.toString()))).isZero();
        assertThat(AceCommand.execute(concat(common, "--methods", "ACE-l1,Pre-CE", "--out", shared.toString()))).isZero();
        Explanation a = ExplanationJson.fromJson(Files.readAllLines(alone.resolve("evaluate/ACE-l1/results.jsonl")).get(0));
        Explanation b = ExplanationJson.fromJson(Files.readAllLines(shared.resolve("evaluate/ACE-l1/results.jsonl")).get(0));
        assertThat(b.sampleId()).isEqualTo(a.sampleId());
        assertThat(b.preExplanation().data()).isEqualTo(a.preExplanation().data());
        assertThat(b.explanation().data()).isEqualTo(a.explanation().data());
        assertThat(b.mask().data()).isEqualTo(a.mask().data());
        assertThat(b.after()).isEqualTo(a.after());
        assertThat(b.success()).isEqualTo(a.success());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[1 + a.length + b.length];
        all[0] = "evaluate";
        System.arraycopy(a, 0, all, 1, a.length);
        System.arraycopy(b, 0, all, 1 + a.length, b.length);
        return all;
    }

    /**
     * --resume: an interrupted run (here: the last line of each method's results.jsonl removed) goes on where it
     * stopped, computes only the missing explanations, and ends with the same explanations as the uninterrupted run;
     * other settings are refused instead of mixed in.
     */
    @Test void resumeComputesOnlyTheMissingExplanations() throws Exception {
        String[] common = {"--count", "3", "--steps", "1", "--batch-size", "2", "--lambda-count", "0", "--report-count", "0",
                "--methods", "ACE-l1,Pre-CE,plain-PGD", "--out", dir.toString()};
        assertThat(AceCommand.execute(concat(common))).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Path ev = dir.resolve("evaluate");
        java.util.Map<String, List<String>> complete = new java.util.HashMap<>();
        for (String m : List.of("ACE-l1", "Pre-CE", "plain-PGD")) {
            List<String> lines = Files.readAllLines(ev.resolve(m).resolve("results.jsonl"));
            assertThat(lines).as(m).hasSize(3);
            complete.put(m, lines);
            Files.write(ev.resolve(m).resolve("results.jsonl"), lines.subList(0, 2)); // "interrupted" before the last
        }
        String table = Files.readString(ev.resolve("table.md"));

        err.reset();
        assertThat(AceCommand.execute(concat(common, "--resume"))).as(err.toString(StandardCharsets.UTF_8)).isZero();
        String log = err.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("plain-PGD: 2 of 3 explanations resumed").contains("refining 1 of the 3 shared pre-explanations (2 resumed)");
        for (String m : List.of("ACE-l1", "Pre-CE", "plain-PGD")) {
            List<String> lines = Files.readAllLines(ev.resolve(m).resolve("results.jsonl"));
            assertThat(lines).as(m).hasSize(3);
            Explanation resumed = ExplanationJson.fromJson(lines.get(2));
            Explanation original = ExplanationJson.fromJson(complete.get(m).get(2));
            assertThat(resumed.sampleId()).isEqualTo(original.sampleId());
            assertThat(resumed.explanation().data()).as(m).isEqualTo(original.explanation().data());
            assertThat(resumed.after()).as(m).isEqualTo(original.after());
        }
        // the flip-rate column is the same as the uninterrupted run's
        assertThat(flipRates(Files.readString(ev.resolve("table.md")))).isEqualTo(flipRates(table));

        err.reset();
        String[] otherSteps = common.clone();
        otherSteps[3] = "2"; // --steps 2
        assertThat(AceCommand.execute(concat(otherSteps, "--resume"))).isNotZero();
        assertThat(errorLine()).contains("--resume").contains("settings.txt").contains("steps=1");
    }

    private static List<String> flipRates(String markdown) {
        return markdown.lines().filter(l -> l.startsWith("| ACE-l1 |") || l.startsWith("| Pre-CE |") || l.startsWith("| plain-PGD |"))
                .map(l -> l.split("\\|")[2].strip()).toList();
    }
}
