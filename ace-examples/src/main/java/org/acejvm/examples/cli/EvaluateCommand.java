package org.acejvm.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.acejvm.attacks.Targets;
import org.acejvm.core.Backends;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.io.Images;
import org.acejvm.core.result.Explanation;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.EmbeddedLatent;
import org.acejvm.examples.evaluate.Evaluation;
import org.acejvm.examples.evaluate.EvaluationMethod;
import org.acejvm.examples.evaluate.EvaluationNotes;
import org.acejvm.examples.evaluate.EvaluationPlots;
import org.acejvm.examples.evaluate.EvaluationReport;
import org.acejvm.examples.evaluate.EvaluationTable;
import org.acejvm.examples.evaluate.LatentEvaluation;
import org.acejvm.examples.report.ReportWriter;
import org.acejvm.metrics.Cout;
import org.acejvm.refine.AcePreset;
import org.acejvm.refine.MaskSettings;
import org.acejvm.refine.batch.MethodSpec;
import org.acejvm.refine.batch.ResultStore;
import org.acejvm.refine.batch.StoredRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code ace evaluate}: the paper's quantitative evaluation (Tables 1 and 5) on the embedded default. Explains a
 * seeded set of correctly classified Fashion-MNIST test images toward their most confusable class with each chosen
 * {@link EvaluationMethod}, stored and shared as {@link Evaluation} does, and writes the table (Markdown, HTML), the
 * COUT insertion curves and a flip-rate-against-lambda chart to {@code <out>/evaluate/}. With {@code --generator
 * mnist-cvae}: the latent-space methods on MNIST digits instead ({@link LatentEvaluation}, as latent-demo).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate ACE and its variants on Fashion-MNIST test images (FR, FID, sFID, COUT, S3, l1, time); "
                + "writes out/evaluate/table.md, table.html and PNG charts.",
                "With --generator mnist-cvae: the latent-space methods (AIP, xGEMs, Counterfactual Attack, AIP_R and FGSM, "
                + "their pixel-space baseline) on MNIST test digits with the embedded digit classifier and conditional VAE "
                + "(flip rate, LPR, time per query, attribute changes); writes out/evaluate/table.md, table.html, "
                + "global_importance.png and grid.png. It takes --count, --methods, --seed, --out and --quiet only."})
public final class EvaluateCommand implements Callable<Integer> {

    @Mixin RunOptions run;

    @Option(names = "--count", defaultValue = "500", description = "Number of test images (with --generator: MNIST test "
            + "digits; default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--methods", split = ",", defaultValue = "ACE-l1,ACE-l2,Pre-CE,F-CE,FR-CE,plain-PGD",
            description = "Methods to evaluate, comma-separated (default: all: ${DEFAULT-VALUE}; with --generator: any of "
                    + "aip, xgems, latent-attack, aip-r and fgsm, default all five).")
    List<String> methods;

    @Option(names = "--generator", description = "Evaluate the latent-space methods instead of ACE: '" + LatentExplain.EMBEDDED
            + "', the embedded latent default (MNIST digits, the mnist-cnn classifier, the mnist-cvae generator), is the one "
            + "generator evaluate supports (ace explain --generator also takes your own ONNX decoder).")
    String generator;

    @Spec CommandSpec spec;

    @Option(names = "--lambda-l2", defaultValue = "0.001",
            description = "Weight of the l2 distance for ACE-l2 (default: ${DEFAULT-VALUE}; --lambda is the l1 weight).")
    double lambdaL2;

    @Option(names = "--lambdas", split = ",", defaultValue = "0.0001,0.001,0.01",
            description = "l1 weights of the flip-rate-against-lambda sweep with ACE-l1 (default: ${DEFAULT-VALUE}).")
    double[] lambdas;

    @Option(names = "--lambda-count", defaultValue = "8",
            description = "Images of the lambda sweep, the first of the evaluated ones (default: ${DEFAULT-VALUE}; 0 skips it).")
    int lambdaCount;

    @Option(names = "--report-count", defaultValue = "16",
            description = "Explanations per method shown in out/evaluate/report.html (default: ${DEFAULT-VALUE}; 0: no report).")
    int reportCount;

    @Option(names = "--resume", description = "Keep the explanations that a previous run with the same settings stored in "
            + "<out>/evaluate/<method>/results.jsonl and compute only the missing ones.")
    boolean resume;

    @Option(names = "--overwrite", description = "Delete the explanations of a previous run in <out>/evaluate first "
            + "(without it, and without --resume, a folder holding results is refused).")
    boolean overwrite;

    @Option(names = "--fraction", description = "Depth of the diffusion filter the attacks see, as a fraction of the "
            + "respaced steps (default: the --preset's; the embedded default's is 0.2: S = 10 of 50, the reference's 0.1).")
    Double fractionOption;

    private double fraction;

    @Option(names = "--preset", defaultValue = "embedded", description = "The settings the other options start from: "
            + "'embedded' (the embedded default: fraction 0.2, PGD 100 x 4/255 with the margin loss, 2 filter draws per "
            + "iteration, mask dilation 3 / threshold 0.3, inpainting from 4 respaced steps) or 'reference' (the "
            + "published ACE settings on this schedule: fraction 0.1, PGD 50 x 1/255, cross-entropy, 1 draw, dilation "
            + "15, inpainting from the filter's S = 5). Options given explicitly win (default: ${DEFAULT-VALUE}).")
    String presetName;

    private AcePreset preset;

    @Option(names = "--dilation", description = "Mask dilation in pixels (odd) of ACE-l1 and ACE-l2 (default: the --preset's).")
    Integer dilationOption;

    @Option(names = "--threshold", description = "Mask threshold in [0, 1] of ACE-l1 and ACE-l2 (default: the --preset's).")
    Double thresholdOption;

    /** The mask in use: the preset's, with --dilation and --threshold where given. */
    private MaskSettings mask;

    @Option(names = "--no-oracle", description = "Leave out the oracle-agreement columns (the independently trained "
            + "models/fmnist-oracle classifier's verdict on the counterfactuals).")
    boolean noOracle;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        if (generator != null) return evaluateLatent(start);
        List<EvaluationMethod> chosen = validate();
        Path dir = run.out.resolve("evaluate");
        Backends.logOnce();
        SameDiffClassifier classifier = EmbeddedDefault.classifier();
        DiffusionModel diffusion = EmbeddedDefault.diffusionModel();
        DemoCommand.Selection sel = DemoCommand.select(classifier, count, run.seed);
        int n = (int) sel.images().size(0);
        if (n < count) System.err.printf(Locale.ROOT, "only %d correctly classified test images available%n", n);
        Targets targets = DemoCommand.CONFUSABLE;
        String recorded = "classifier=" + EmbeddedDefault.classifierChecksum() + "\ndiffusion="
                + EmbeddedDefault.diffusionChecksum() + "\n";
        ResultStore.writeAtomically(createdDir(dir).resolve("settings.txt"), settingsText() + recorded
                + (noOracle ? "" : "oracle=" + EmbeddedDefault.oracleChecksum() + "\n"));
        Evaluation evaluation = new Evaluation(classifier, diffusion, dir, resume, overwrite, recorded,
                () -> run.progress(run.batchSize));

        Map<String, StoredRun> runs = evaluation.run(specs(chosen, run.lambda), this::attackFolder, sel.images(), sel.ids(), targets);
        Map<String, List<Explanation>> results = new LinkedHashMap<>();
        Map<String, Long> nanos = new LinkedHashMap<>();
        runs.forEach((k, v) -> { results.put(k, v.explanations()); nanos.put(k, v.nanos()); });

        EvaluationTable table = new EvaluationTable("ace evaluate: counterfactual explanations of the embedded "
                + "Fashion-MNIST classifier");
        EvaluationNotes.add(table, n, run.seed, preset.name(), run.steps, run.stepSize, run.lambda, lambdaL2,
                run.stopMargin, run.inpaintSteps, run.batchSize, diffusion, fraction, run.filterSamples, run.classLoss,
                mask);
        Map<String, Cout.Curve> curves = EvaluationReport.addMethods(table, results, nanos, sel.images(),
                EmbeddedDefault.penultimateFeatures(classifier), classifier, noOracle ? null : EmbeddedDefault.oracle(), run.seed);
        EvaluationPlots.coutCurves(curves, n + " Fashion-MNIST test image" + (n == 1 ? "" : "s"), dir.resolve("cout_curves.png"));
        if (lambdaCount > 0) {
            DemoCommand.Selection sub = DemoCommand.select(classifier, lambdaCount, run.seed);
            EvaluationNotes.lambdaSweep(table, lambdas, run.lambda, runs.get(EvaluationMethod.ACE_L1.label), lambda -> {
                Evaluation e = new Evaluation(classifier, diffusion, dir.resolve("lambda-" + EvaluationNotes.fmt(lambda)),
                        resume, overwrite, recorded, () -> run.progress(run.batchSize));
                return e.run(specs(List.of(EvaluationMethod.ACE_L1), lambda), this::attackFolder, sub.images(), sub.ids(),
                        targets).get(EvaluationMethod.ACE_L1.label);
            }, (int) sub.images().size(0), dir.resolve("fr_vs_lambda.png"));
        }
        Path md = table.write(dir);
        if (reportCount > 0) report(dir, results, sel, Duration.ofNanos(System.nanoTime() - start));
        System.out.println();
        System.out.print(table.markdown());
        System.out.printf(Locale.ROOT, "%ntable: %s and %s; charts: %s%s; %s%n", md, dir.resolve("table.html"),
                dir.resolve("cout_curves.png"), lambdaCount > 0 ? ", " + dir.resolve("fr_vs_lambda.png") : "",
                ReportWriter.formatDuration(Duration.ofNanos(System.nanoTime() - start)));
        return 0;
    }

    /** The options that apply with --generator; every other one is refused rather than silently ignored. */
    private static final List<String> LATENT_OPTIONS = List.of("--generator", "--count", "--methods", "--seed", "--out", "--quiet", "--debug");

    /** --generator: the latent methods on the embedded latent default, as latent-demo with its defaults. */
    private int evaluateLatent(long start) throws IOException {
        ParseResult parsed = spec.commandLine().getParseResult();
        if (!generator.equalsIgnoreCase(LatentExplain.EMBEDDED)) {
            throw new InvalidInputException("--generator: evaluate supports the embedded latent default '" + LatentExplain.EMBEDDED
                    + "' only, got '" + generator + "' (ace explain --generator also takes your own ONNX decoder and encoder)");
        }
        for (OptionSpec o : parsed.matchedOptions()) {
            if (!LATENT_OPTIONS.contains(o.longestName())) {
                throw new InvalidInputException(o.longestName() + " applies to the ACE methods on Fashion-MNIST; evaluate "
                        + "--generator takes --count, --methods, --seed, --out and --quiet");
            }
        }
        if (count < 1) throw new InvalidInputException.Range("--count: expected at least 1, got " + count);
        List<String> names = parsed.hasMatchedOption("--methods") ? methods : LatentMethods.NAMES;
        LatentMethods.check(names);
        RunOptions.checkOutputFolder(run.out);
        Path dir = run.out.resolve("evaluate");
        // the ACE methods' run writes settings.txt first: its table (hours of work) is not to be overwritten
        if (Files.exists(dir.resolve("settings.txt"))) {
            throw new InvalidInputException("--out " + run.out + ": " + dir + " holds an evaluation of the ACE methods; give "
                    + "the latent methods another --out");
        }
        EmbeddedLatent latent = EmbeddedLatent.load();
        LatentEvaluation.Settings settings = LatentEvaluation.Settings.defaults(count, run.seed);
        LatentEvaluation evaluation = LatentEvaluation.run(latent, settings,
                space -> LatentMethods.of(names, space, latent.attributeNames().size(), settings), run.quiet);
        Files.createDirectories(dir);
        Path chart = dir.resolve("global_importance.png"), grid = dir.resolve("grid.png");
        boolean charted = evaluation.writeGlobalImportance(chart);
        String table = evaluation.markdown();
        Files.writeString(dir.resolve("table.md"), table);
        Files.writeString(dir.resolve("table.html"), evaluation.html(charted ? chart.getFileName().toString() : null));
        Images.writePng(evaluation.grid(10).render(), grid);
        System.out.print(table);
        System.out.printf(Locale.ROOT, "%ntable: %s and %s; charts: %s%s; %s%n", dir.resolve("table.md"), dir.resolve("table.html"),
                charted ? chart + ", " : "", grid, ReportWriter.formatDuration(Duration.ofNanos(System.nanoTime() - start)));
        return 0;
    }

    /** Checks the arguments before anything is loaded; returns the chosen methods in table order. */
    private List<EvaluationMethod> validate() {
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1, got " + count);
        if (lambdaCount < 0) throw new IllegalArgumentException("--lambda-count must be 0 or more, got " + lambdaCount);
        if (reportCount < 0) throw new IllegalArgumentException("--report-count must be 0 or more, got " + reportCount);
        preset = preset(presetName);
        fraction = fractionOption != null ? fractionOption : preset.fraction();
        mask = new MaskSettings(dilationOption != null ? dilationOption : preset.dilation(),
                thresholdOption != null ? thresholdOption : preset.threshold());
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("--fraction must be in (0, 1], got " + fraction);
        if (resume && overwrite) throw new IllegalArgumentException("--resume and --overwrite exclude each other");
        if (!(run.lambda >= 0) || !(lambdaL2 >= 0)) {
            throw new IllegalArgumentException("--lambda and --lambda-l2 must be >= 0, got " + run.lambda + " and " + lambdaL2);
        }
        if (lambdaCount > 0) {
            if (lambdas == null || lambdas.length == 0) throw new IllegalArgumentException("--lambdas: give at least one value");
            for (double l : lambdas) {
                if (!(l > 0) || Double.isInfinite(l)) {
                    throw new IllegalArgumentException("--lambdas: every value must be > 0 (plotted on a log axis), got " + l);
                }
            }
        }
        run.useDefaults(preset, RunOptions.DEFAULT_BATCH);
        EnumSet<EvaluationMethod> set = EnumSet.noneOf(EvaluationMethod.class);
        for (String s : methods) {
            if (LatentMethods.NAMES.stream().anyMatch(s.strip()::equalsIgnoreCase)) {
                throw new InvalidInputException("--methods: " + s.strip() + " is a latent method: add --generator " + LatentExplain.EMBEDDED);
            }
            if (!s.isBlank()) set.add(EvaluationMethod.parse(s));
        }
        if (set.isEmpty()) throw new IllegalArgumentException("--methods: choose at least one of " + EvaluationMethod.labels());
        return new ArrayList<>(set);
    }

    /** The preset named by --preset. */
    static AcePreset preset(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "embedded" -> EmbeddedDefault.PRESET;
            case "reference" -> AcePreset.FASHION_MNIST;
            default -> throw new InvalidInputException("--preset: expected 'embedded' or 'reference', got '" + name + "'");
        };
    }

    /** The chosen methods' specifications with l1 weight {@code lambda1}. */
    private List<MethodSpec> specs(List<EvaluationMethod> chosen, double lambda1) {
        EvaluationMethod.Common c = new EvaluationMethod.Common(run.steps, run.stepSize, run.stopMargin, lambda1, lambdaL2,
                fraction, mask, run.inpaintSteps == null ? 0 : run.inpaintSteps, run.seed,
                run.batchSize, run.filterSamples, run.classLoss);
        return chosen.stream().map(m -> m.spec(c)).toList();
    }

    private String attackFolder(MethodSpec spec) { return EvaluationMethod.parse(spec.name()).attackFolder(); }

    /** The run's options, recorded in {@code <out>/evaluate/settings.txt} for whoever reads the results. */
    private String settingsText() {
        return String.join("\n", "preset=" + preset.name(), "seed=" + run.seed, "steps=" + run.steps, "step-size=" + run.stepSize,
                "lambda=" + run.lambda, "lambda-l2=" + lambdaL2, "stop-margin=" + run.stopMargin) + "\n";
    }

    private static Path createdDir(Path dir) {
        try {
            return java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private void report(Path dir, Map<String, List<Explanation>> results, DemoCommand.Selection sel, Duration elapsed) {
        ReportWriter report = new ReportWriter(dir, "ace evaluate: example explanations", org.acejvm.examples.data.FashionMnist.CLASS_NAMES);
        results.forEach((method, list) -> report.section(method + " (the first " + Math.min(reportCount, list.size()) + " of "
                + list.size() + "; metrics in table.html)", list.subList(0, Math.min(reportCount, list.size())), sel.originals()));
        report.setting("seed", run.seed).setting("attack", "PGD, " + run.steps + " iterations").setting("backend",
                Backends.describe());
        report.write(elapsed);
    }
}
