package org.acejvm.examples.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.acejvm.attacks.Targets;
import org.acejvm.core.Backends;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.examples.report.ReportWriter;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.Refiner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ace demo}: explains a fixed, seeded set of Fashion-MNIST test images with the embedded models, toward the
 * class each one is most easily confused with, and writes the report. Also runs plain PGD (no diffusion filter)
 * on the same images for comparison.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Explain Fashion-MNIST test images with the embedded models; writes out/report.html.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin AttackOptions run;

    @Option(names = "--count", defaultValue = "16", description = "Number of test images (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--no-baseline", description = "Skip the plain-PGD comparison.")
    boolean noBaseline;

    /**
     * The demo's default --batch-size, as the other commands': the filter's S = 10 network calls per attack step take
     * about 2.8 GB at 8 images (peak RSS of the whole demo; 9.6 GB when graphs ran on SameDiff).
     */
    static final int DEMO_BATCH = 8;

    /** The side-by-side strip of ACE and plain PGD in the output folder. */
    static final String COMPARISON_FILE = "ace_vs_pgd.png";

    @Override
    public Integer call() {
        long start = System.nanoTime();
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1, got " + count);
        run.useDefaults(EmbeddedDefault.PRESET, DEMO_BATCH);
        Backends.logOnce();
        SameDiffClassifier classifier = EmbeddedDefault.classifier();
        DiffusionModel diffusion = EmbeddedDefault.diffusionModel();
        Selection sel = select(classifier, count, run.seed);
        Targets targets = CONFUSABLE;

        Explainer ace = run.inpainting(Explainer.builder(classifier).attack(run.attack())
                .diffusion(diffusion, EmbeddedDefault.FRACTION)).mask(EmbeddedDefault.MASK).batchSize(run.batchSize)
                .seed(run.seed).method("ACE-" + run.distance).build();
        List<Explanation> aceResults = ExplanationRun.run("ACE", ace, sel.images, targets, sel.ids, run.out, run.seed,
                run.progress(ace.batchSize()));

        ReportWriter report = new ReportWriter(run.out, "ACE on Fashion-MNIST (embedded default)", FashionMnist.CLASS_NAMES)
                .section("ACE (" + run.attack + " through the diffusion filter, " + run.distance + ", inpainting refinement)",
                        aceResults, sel.originals);
        List<Explanation> plain = List.of();
        if (!noBaseline) {
            Explainer pgd = Explainer.builder(classifier).attack(run.attack()).refiner(Refiner.identity(EmbeddedDefault.MASK))
                    .batchSize(run.batchSize).seed(run.seed).method("plain-" + run.attack).build();
            plain = ExplanationRun.run("plain " + run.attack + " (no filter)", pgd, sel.images, targets, sel.ids,
                    run.out.resolve("plain"), run.seed, run.progress(pgd.batchSize()));
            report.section("Plain " + run.attack + " without the diffusion filter (for comparison)", plain, sel.originals);
            String plainName = "plain " + run.attack.toString().toUpperCase(Locale.ROOT);   // column headers: "plain PGD"
            report.compare(COMPARISON_FILE, "ACE vs " + plainName + " on the same images", "ACE", aceResults, plainName,
                    plain, sel.originals);
        }
        settings(report, classifier, diffusion);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        Path html = report.write(elapsed);
        System.out.printf(Locale.ROOT, "ACE flip rate: %.1f%% (%d/%d)%n", 100 * ReportWriter.flipRate(aceResults),
                aceResults.stream().filter(Explanation::success).count(), aceResults.size());
        if (!noBaseline) {
            System.out.printf(Locale.ROOT, "plain %s flip rate: %.1f%%; mean |change| ACE %.4f vs plain %.4f%n", run.attack,
                    100 * ReportWriter.flipRate(plain), ReportWriter.meanAbsChange(aceResults, sel.originals),
                    ReportWriter.meanAbsChange(plain, sel.originals));
            System.out.println("where ACE changed: " + ReportWriter.describe(ReportWriter.locality(aceResults, sel.originals)));
            System.out.println("where plain " + run.attack + " changed: "
                    + ReportWriter.describe(ReportWriter.locality(plain, sel.originals)));
        }
        System.out.printf(Locale.ROOT, "report: %s (grid: %s%s), %s%n", html, run.out.resolve("grid.png"),
                noBaseline ? "" : ", ACE vs plain " + run.attack + ": " + run.out.resolve(COMPARISON_FILE),
                ReportWriter.formatDuration(elapsed));
        return 0;
    }

    private void settings(ReportWriter report, SameDiffClassifier classifier, DiffusionModel diffusion) {
        report.setting("images", count + " Fashion-MNIST test images, correctly classified, chosen with seed " + run.seed)
                .setting("targets", "the class each source is most easily confused with (" + targetTable() + ")")
                .setting("attack", run.describeAttack())
                .setting("diffusion", "T=" + EmbeddedDefault.TIMESTEPS + ", respacing " + EmbeddedDefault.RESPACING
                        + ", fraction " + EmbeddedDefault.FRACTION + " (S=" + EmbeddedDefault.filterSteps(diffusion) + " filter steps), inpainting from " + run.inpaintSteps
                        + " steps, learned-range variance")
                .setting("mask", "dilation " + EmbeddedDefault.MASK.dilation() + ", threshold " + EmbeddedDefault.MASK.threshold())
                .setting("classifier", "embedded Fashion-MNIST CNN " + classifier.inputSpec())
                .setting("seed", run.seed)
                .setting("backend", Backends.describe());
    }

    /** Each image toward its most confusable class: the targets of demo, evaluate and calibrate on Fashion-MNIST. */
    static final Targets CONFUSABLE = Targets.from(DemoCommand::confusableWith, "each image's most confusable class");

    static int confusableWith(int c) { return FashionMnist.confusableWith(c); }

    private static String targetTable() {
        List<String> parts = new ArrayList<>();
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            parts.add(FashionMnist.className(c) + " -> " + FashionMnist.className(confusableWith(c)));
        }
        return String.join(", ", parts);
    }

    /** The chosen images, their data-set indices (used as sample ids) and originals by id. */
    record Selection(INDArray images, long[] ids, Map<Long, INDArray> originals) {}

    /** The first {@code count} correctly classified test images in a seeded order of the test set. */
    static Selection select(SameDiffClassifier classifier, int count, long seed) {
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST);
        int[] order = shuffled(test.size(), seed);
        List<Integer> chosen = new ArrayList<>();
        for (int from = 0; from < order.length && chosen.size() < count; from += 256) {
            int[] idx = java.util.Arrays.copyOfRange(order, from, Math.min(order.length, from + 256));
            int[] pred = classifier.predict(test.images(idx));
            for (int i = 0; i < idx.length && chosen.size() < count; i++) if (pred[i] == test.label(idx[i])) chosen.add(idx[i]);
        }
        int[] idx = chosen.stream().mapToInt(Integer::intValue).toArray();
        INDArray images = test.images(idx);
        long[] ids = new long[idx.length];
        Map<Long, INDArray> originals = new HashMap<>();
        for (int i = 0; i < idx.length; i++) {
            ids[i] = idx[i];
            originals.put(ids[i], images.get(NDArrayIndex.point(i)).dup());
        }
        return new Selection(images, ids, originals);
    }

    static int[] shuffled(int n, long seed) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i]; a[i] = a[j]; a[j] = t;
        }
        return a;
    }
}
