package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.DistanceSchedule;
import org.acejvm.attacks.Targets;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.evaluate.EvaluationPlotsTest;
import org.acejvm.refine.AcePreset;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.batch.MethodSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code ace evaluate}: argument errors (one line, non-zero exit, before any model is loaded) and a tiny real run. */
class EvaluateCommandTest {
    @RegisterExtension final ConsoleCapture console = new ConsoleCapture();
    @TempDir Path dir;

    private String errorLine() {
        String text = console.err().strip();
        String[] lines = text.lines().filter(l -> l.startsWith("ace")).toArray(String[]::new);
        assertThat(text).doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(lines).as(text).hasSize(1);
        return lines[0];
    }

    private String helpText() {
        console.resetOut();
        assertThat(AceCommand.execute("evaluate", "--help")).isZero();
        return console.out();
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

    /** --preset reference runs the published settings on this schedule; the table says which preset it ran. */
    @Test void referencePresetRunsThePublishedSettings() throws Exception {
        assertThat(AceCommand.execute("evaluate", "--preset", "reference", "--count", "1", "--steps", "1", "--batch-size", "1",
                "--lambda-count", "0", "--report-count", "0", "--methods", "ACE-l1", "--no-oracle", "--out", dir.toString()))
                .as(console.err()).isZero();
        Path ev = dir.resolve("evaluate");
        String spec = Files.readString(ev.resolve("ACE-l1/settings.txt"));
        assertThat(spec).contains("fraction=0.1\n").contains("mask=15,0.15\n").contains("inpaint-steps=0\n")
                .doesNotContain("filter-samples");
        assertThat(MethodSpec.parse(spec).step()).isEqualTo(AttackSettings.REFERENCE_STEP);
        assertThat(Files.readString(ev.resolve("table.md"))).contains(AcePreset.FASHION_MNIST.name())
                .contains("dilation 15").contains("inpaint from 5 of the 50");
    }

    @Test void unknownPresetIsNamed() {
        assertThat(evaluate("--preset", "celeba")).isNotZero();
        assertThat(errorLine()).contains("--preset").contains("embedded").contains("reference").contains("celeba");
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
            console.resetErr();
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
     * Two images, two attack steps, ACE-l1 and plain PGD, a two-value lambda sweep (0.001 taken from the main ACE-l1
     * run, 0.01 attacked and refined in its own folders): the table has both rows and the header notes, the charts
     * are PNGs, every method streamed its results.
     */
    @Test void smallEndToEndRun() throws Exception {
        int code = evaluate("--count", "2", "--steps", "2", "--batch-size", "2", "--methods", "plain-PGD,ACE-l1",
                "--lambdas", "0.001,0.01", "--lambda-count", "2", "--report-count", "1");
        assertThat(code).as(console.err()).isZero();
        Path ev = dir.resolve("evaluate");
        String md = Files.readString(ev.resolve("table.md"));
        assertThat(md).contains("| method | FR (%) ↑ | FID ↓ | sFID ↓ | COUT ↑ | S3 ↑ | mean l1 ↓ | oracle agrees (%) ↑ "
                        + "| oracle p(target) ↑ | time/image (s) |")
                .contains("- **oracle**: an independently trained classifier")
                .contains("- **images**: 2 correctly classified").contains("- **seed**: 0")
                .contains("- **feature network**: penultimate layer of the shipped classifier fmnist-cnn")
                .contains("## Flip rate against lambda").doesNotContain("NaN")
                .contains("- **change outside the mask**: largest |x' - x| where the mask is 0, over all images: ACE-l1 0, plain-PGD ")
                .contains("- **where it changed**: share of the pixels changed by more than 1/255 / share of the change "
                        + "carried by the 10% most-changed pixels, over all images: ACE-l1 ")
                .contains("## Flip rate and oracle agreement (%) per class pair (source -> target)\n\n"
                        + "| pair | images | FR ACE-l1 | FR plain-PGD | oracle agrees ACE-l1 | oracle agrees plain-PGD |");
        // per-pair rows: "| Source -> Target | n | rate | rate | agrees | agrees |", the counts adding up to the 2
        // images, and the oracle's agreements per pair, weighted by the pair's successes, adding up to the method's
        List<String> pairs = md.lines().filter(l -> l.matches("\\| [^|]+ -> [^|]+ \\| \\d+ \\|.*")).toList();
        assertThat(pairs).isNotEmpty();
        assertThat(pairs.stream().mapToInt(l -> Integer.parseInt(l.split("\\|")[2].strip())).sum()).isEqualTo(2);
        double judged = 0;
        for (int m = 0; m < 2; m++) { // ACE-l1, plain-PGD
            double successes = 0;
            double agreed = 0;
            for (String l : pairs) {
                String[] cells = l.split("\\|");
                double s = Double.parseDouble(cells[3 + m].strip()) / 100 * Integer.parseInt(cells[2].strip());
                successes += s;
                if (s > 0) agreed += s * Double.parseDouble(cells[5 + m].strip()) / 100;
            }
            String method = m == 0 ? "| ACE-l1 |" : "| plain-PGD |";
            String row = md.lines().filter(l -> l.startsWith(method)).findFirst().orElseThrow();
            if (successes > 0) assertThat(100 * agreed / successes).isCloseTo(Double.parseDouble(row.split("\\|")[8].strip()), within(0.06));
            judged += successes;
        }
        assertThat(judged).as("successful counterfactuals the per-pair check saw").isPositive();
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
        assertThat(console.out()).contains("| ACE-l1 |").contains("table.md");
        for (String m : List.of("Pre-CE", "ACE-l1")) {
            assertThat(Files.readAllLines(ev.resolve("lambda-0.01").resolve(m).resolve("results.jsonl"))).as(m).hasSize(2);
        }
        assertThat(md.lines().filter(l -> l.matches("\\| 0\\.0(01|1) \\|.*"))).hasSize(2);
    }

    /**
     * evaluate stores each attack through the filter (Pre-CE/ for l1, Pre-CE-l2/ for l2) and refines it afterwards:
     * ACE-l1 and ACE-l2 must give exactly what an {@link Explainer} configured with the same settings gives in one go.
     */
    @Test void storedAttackThenRefinementGivesWhatTheExplainerGives() throws Exception {
        assertThat(AceCommand.execute("evaluate", "--count", "1", "--steps", "1", "--batch-size", "1", "--lambda-count", "0",
                "--report-count", "0", "--methods", "ACE-l1,ACE-l2", "--out", dir.toString()))
                .as(console.err()).isZero();
        Path ev = dir.resolve("evaluate");
        assertThat(ev.resolve("Pre-CE/results.jsonl")).exists();
        assertThat(ev.resolve("Pre-CE-l2/results.jsonl")).exists();
        assertThat(Files.readString(ev.resolve("ACE-l1/settings.txt"))).contains("inpaint-steps=" + EmbeddedDefault.INPAINT_STEPS)
                .contains("filter-samples=" + EmbeddedDefault.FILTER_SAMPLES).contains("loss=" + EmbeddedDefault.CLASS_LOSS_KEY);

        SameDiffClassifier classifier = EmbeddedDefault.classifier();
        DiffusionModel diffusion = EmbeddedDefault.diffusionModel();
        DemoCommand.Selection sel = DemoCommand.select(classifier, 1, 0);
        for (String method : List.of("ACE-l1", "ACE-l2")) {
            boolean l1 = method.equals("ACE-l1");
            AttackSettings settings = AttackSettings.builder().iterations(1).step(EmbeddedDefault.ATTACK_STEP)
                    .lambda1(l1 ? 0.001 : 0).lambda2(l1 ? 0 : 0.001).schedule(DistanceSchedule.NONE)
                    .filterSamples(EmbeddedDefault.FILTER_SAMPLES).build();
            Explanation expected = Explainer.builder(classifier).attack(Attacks.pgd(settings, EmbeddedDefault.CLASS_LOSS))
                    .diffusion(diffusion, EmbeddedDefault.FRACTION).inpaintingSteps(EmbeddedDefault.INPAINT_STEPS)
                    .mask(EmbeddedDefault.MASK).seed(0).batchSize(1).build()
                    .explain(sel.images(), Targets.from(DemoCommand::confusableWith), sel.ids()).get(0);
            Explanation got = ExplanationJson.fromJson(Files.readAllLines(ev.resolve(method).resolve("results.jsonl")).get(0));
            assertThat(got.sampleId()).isEqualTo(expected.sampleId());
            assertThat(got.preExplanation().data()).as(method).isEqualTo(expected.preExplanation().data());
            assertThat(got.explanation().data()).as(method).isEqualTo(expected.explanation().data());
            assertThat(got.mask().data()).as(method).isEqualTo(expected.mask().data());
            assertThat(got.after()).as(method).isEqualTo(expected.after());
            assertThat(got.success()).as(method).isEqualTo(expected.success());
        }
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
        assertThat(AceCommand.execute(concat(common))).as(console.err()).isZero();
        Path ev = dir.resolve("evaluate");
        java.util.Map<String, List<String>> complete = new java.util.HashMap<>();
        for (String m : List.of("ACE-l1", "Pre-CE", "plain-PGD")) {
            List<String> lines = Files.readAllLines(ev.resolve(m).resolve("results.jsonl"));
            assertThat(lines).as(m).hasSize(3);
            complete.put(m, lines);
            Files.write(ev.resolve(m).resolve("results.jsonl"), lines.subList(0, 2)); // "interrupted" before the last
        }
        String table = Files.readString(ev.resolve("table.md"));

        console.resetErr();
        assertThat(AceCommand.execute(concat(common, "--resume"))).as(console.err()).isZero();
        String log = console.err();
        assertThat(log).contains("plain-PGD: 1 of 3 images to do, 2 resumed").contains("ACE-l1: refining: 1 of 3 images to do, 2 resumed");
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

        console.resetErr();
        String[] otherSteps = common.clone();
        otherSteps[3] = "2"; // --steps 2
        assertThat(AceCommand.execute(concat(otherSteps, "--resume"))).isNotZero();
        assertThat(errorLine()).contains("other settings").contains("iterations=1").contains("iterations=2");

        // another inpainting start: the attacks are kept, only ACE-l1 is refined again (the old results moved aside)
        List<String> attacks = Files.readAllLines(ev.resolve("Pre-CE/results.jsonl"));
        List<String> refined = Files.readAllLines(ev.resolve("ACE-l1/results.jsonl"));
        console.resetErr();
        assertThat(AceCommand.execute(concat(common, "--resume", "--inpaint-steps", "2"))).as(console.err()).isZero();
        log = console.err();
        assertThat(log).contains("attack through the filter for Pre-CE: 0 of 3 images to do, 3 resumed")
                .contains("ACE-l1: the stored refinements were made with other settings: refining again (the old ones are in results.jsonl.1.old)")
                .contains("ACE-l1: refining: 3 of 3 images to do");
        assertThat(Files.readAllLines(ev.resolve("Pre-CE/results.jsonl"))).isEqualTo(attacks);
        assertThat(Files.readAllLines(ev.resolve("ACE-l1/results.jsonl.1.old"))).isEqualTo(refined);
        List<Explanation> again = ExplanationJson.readLines(ev.resolve("ACE-l1/results.jsonl"));
        assertThat(again).hasSize(3);
        assertThat(again.get(0).preExplanation()).isEqualTo(ExplanationJson.fromJson(refined.get(0)).preExplanation());
        assertThat(again.stream().map(e -> e.explanation()).toList())
                .isNotEqualTo(refined.stream().map(l -> ExplanationJson.fromJson(l).explanation()).toList());
        assertThat(Files.readString(ev.resolve("ACE-l1/settings.txt"))).contains("inpaint-steps=2");
        assertThat(Files.readString(ev.resolve("table.md"))).contains("ACE-l1 and ACE-l2 inpaint from 2 of the 50 respaced steps");

        // another mask: an attack does not depend on it, so the attacks are kept (also those of a run that recorded
        // the mask with them) and only ACE-l1 is refined again, with the new mask
        Path attackSettings = ev.resolve("Pre-CE/settings.txt");
        assertThat(Files.readString(attackSettings)).doesNotContain("mask=");
        Files.writeString(attackSettings, Files.readString(attackSettings).replace("inpaint-steps=", "mask=5,0.15\ninpaint-steps="));
        console.resetErr();
        assertThat(AceCommand.execute(concat(common, "--resume", "--inpaint-steps", "2", "--dilation", "7", "--threshold", "0.5")))
                .as(console.err()).isZero();
        log = console.err();
        assertThat(log).contains("attack through the filter for Pre-CE: 0 of 3 images to do, 3 resumed")
                .contains("plain-PGD: 0 of 3 images to do, 3 resumed").contains("ACE-l1: refining: 3 of 3 images to do");
        assertThat(Files.readAllLines(ev.resolve("Pre-CE/results.jsonl"))).isEqualTo(attacks);
        assertThat(Files.readString(ev.resolve("ACE-l1/settings.txt"))).contains("mask=7,0.5");
        List<Explanation> remasked = ExplanationJson.readLines(ev.resolve("ACE-l1/results.jsonl"));
        assertThat(remasked.get(0).preExplanation()).isEqualTo(again.get(0).preExplanation());
        assertThat(remasked.stream().map(Explanation::mask).toList()).isNotEqualTo(again.stream().map(Explanation::mask).toList());
    }

    /** Results are never deleted by accident: a second run into the same folder needs --resume or --overwrite. */
    @Test void anotherRunIntoTheSameFolderIsRefusedUnlessResumedOrOverwritten() throws Exception {
        String[] common = {"--count", "1", "--steps", "1", "--batch-size", "1", "--lambda-count", "0", "--report-count", "0",
                "--methods", "plain-PGD", "--out", dir.toString()};
        assertThat(AceCommand.execute(concat(common))).as(console.err()).isZero();
        Path results = dir.resolve("evaluate/plain-PGD/results.jsonl");
        List<String> first = Files.readAllLines(results);
        console.resetErr();
        assertThat(AceCommand.execute(concat(common))).isNotZero();
        assertThat(errorLine()).contains("earlier run").contains("overwrite");
        assertThat(Files.readAllLines(results)).isEqualTo(first);
        assertThat(AceCommand.execute(concat(common, "--overwrite"))).as(console.err()).isZero();
        // deterministic: the same explanation again (its recorded time aside)
        assertThat(ExplanationJson.fromJson(Files.readAllLines(results).get(0)).explanation())
                .isEqualTo(ExplanationJson.fromJson(first.get(0)).explanation());
        assertThat(AceCommand.execute(concat(common, "--overwrite", "--resume"))).isNotZero();
    }

    private static List<String> flipRates(String markdown) {
        return markdown.lines().filter(l -> l.startsWith("| ACE-l1 |") || l.startsWith("| Pre-CE |") || l.startsWith("| plain-PGD |"))
                .map(l -> l.split("\\|")[2].strip()).toList();
    }
}
