package org.acejvm.examples.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.acejvm.attacks.Attack;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.Targets;
import org.acejvm.core.Backends;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;
import org.acejvm.core.result.ImageData;
import org.acejvm.core.result.Scores;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.examples.evaluate.EvaluationPlots;
import org.acejvm.examples.evaluate.EvaluationTable;
import org.acejvm.examples.evaluate.MethodMetrics;
import org.acejvm.examples.evaluate.MethodResult;
import org.acejvm.examples.models.FashionCnn;
import org.acejvm.examples.report.ReportWriter;
import org.acejvm.metrics.Cout;
import org.acejvm.metrics.FlipRate;
import org.acejvm.metrics.MetricValue;
import org.acejvm.metrics.SameDiffFeatures;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.Refinement;
import org.acejvm.refine.Refiner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ace evaluate}: the paper's quantitative evaluation (Tables 1 and 5) on the embedded default. Explains a
 * seeded set of correctly classified Fashion-MNIST test images toward their most confusable class with each chosen
 * method (ACE-l1, ACE-l2, Pre-CE, F-CE, FR-CE, plain PGD, each a configuration of {@link Explainer}), computes FR,
 * FID, sFID, COUT, S3-style similarity, mean l1 and time per image, and writes the table (Markdown, HTML), the COUT
 * insertion curves and a flip-rate-against-lambda chart (PNG) to {@code <out>/evaluate/}.
 *
 * <p>Pre-CE, FR-CE, F-CE and ACE-l1 differ only in the refiner: they share the attack (PGD with the l1 distance
 * through the diffusion filter, same seed), so the attack runs once, is stored as Pre-CE's explanations, and each
 * refiner is applied to its pre-explanations with the same noise source. ACE-l2's attack (l2) is stored the same way
 * in {@code Pre-CE-l2/}. Noise is keyed by seed, sample id and purpose, not drawn from a stream, so this gives the
 * same explanations as running each configured explainer on its own, at a fraction of the cost, and a changed
 * refinement setting re-runs the refinements only (with --resume). Each method's time per image counts its attack
 * in full.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate ACE and its variants on Fashion-MNIST test images (FR, FID, sFID, COUT, S3, l1, time); "
                + "writes out/evaluate/table.md, table.html and PNG charts.")
public final class EvaluateCommand implements Callable<Integer> {

    /** The attacks through the filter, each stored in its folder with the identity refiner (Pre-CE's form). */
    enum AttackGroup {
        FILTERED_L1("l1", "Pre-CE"), FILTERED_L2("l2", "Pre-CE-l2");

        final String distance;
        final String folder;

        AttackGroup(String distance, String folder) {
            this.distance = distance;
            this.folder = folder;
        }
    }

    /** The evaluated methods, in table order. */
    enum Method {
        ACE_L1("ACE-l1", AttackGroup.FILTERED_L1), ACE_L2("ACE-l2", AttackGroup.FILTERED_L2),
        PRE_CE("Pre-CE", AttackGroup.FILTERED_L1), F_CE("F-CE", AttackGroup.FILTERED_L1),
        FR_CE("FR-CE", AttackGroup.FILTERED_L1), PLAIN_PGD("plain-PGD", null);

        final String label;
        /** The attack through the filter that the method refines; null: plain PGD, no filter, no refinement. */
        final AttackGroup group;

        Method(String label, AttackGroup group) {
            this.label = label;
            this.group = group;
        }

        static Method parse(String s) {
            String t = s.trim();
            for (Method m : values()) {
                if (m.label.equalsIgnoreCase(t) || m.name().equalsIgnoreCase(t)) return m;
            }
            if (t.equalsIgnoreCase("pgd") || t.equalsIgnoreCase("plain")) return PLAIN_PGD;
            throw new IllegalArgumentException("--methods: unknown method '" + t + "'; choose from " + labels());
        }

        static String labels() {
            List<String> l = new ArrayList<>();
            for (Method m : values()) l.add(m.label);
            return String.join(", ", l);
        }
    }

    @Mixin RunOptions run;

    @Option(names = "--count", defaultValue = "500", description = "Number of test images (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--methods", split = ",", defaultValue = "ACE-l1,ACE-l2,Pre-CE,F-CE,FR-CE,plain-PGD",
            description = "Methods to evaluate, comma-separated (default: all: ${DEFAULT-VALUE}).")
    List<String> methods;

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

    @Option(names = "--resume",
            description = "Keep the explanations that a previous run with the same settings wrote to <out>/evaluate/<method>/"
                    + "results.jsonl and compute only the missing ones: an interrupted run goes on where it stopped.")
    boolean resume;

    private SameDiffClassifier classifier;
    private DiffusionModel diffusion;
    private Path dir;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        List<Method> chosen = validate();
        dir = run.out.resolve("evaluate");
        Backends.logOnce();
        classifier = EmbeddedDefault.classifier();
        diffusion = EmbeddedDefault.diffusionModel();
        SameDiffFeatures features = EmbeddedDefault.penultimateFeatures(classifier);
        DemoCommand.Selection sel = DemoCommand.select(classifier, count, run.seed);
        int n = (int) sel.images().size(0);
        if (n < count) System.err.printf(Locale.ROOT, "only %d correctly classified test images available%n", n);
        Targets targets = Targets.from(DemoCommand::confusableWith);
        INDArray originalFeatures = features.features(sel.images());
        checkResumable();

        Map<Method, List<Explanation>> results = new EnumMap<>(Method.class);
        Map<Method, Long> nanos = new EnumMap<>(Method.class);
        explainAll(chosen, sel, targets, results, nanos);

        EvaluationTable table = new EvaluationTable("ace evaluate: counterfactual explanations of the embedded "
                + "Fashion-MNIST classifier");
        notes(table, n);
        Map<String, Cout.Curve> curves = new LinkedHashMap<>();
        List<String> locality = new ArrayList<>();
        for (Method m : chosen) {
            MethodMetrics metrics = new MethodMetrics(m.label, features, classifier, run.seed);
            accumulate(metrics, results.get(m), sel.images(), originalFeatures);
            metrics.addTime(nanos.get(m));
            MethodResult r = metrics.result();
            table.row(r);
            curves.put(m.label, r.coutCurve());
            locality.add(m.label + " " + percent(metrics.changedShare()) + " / " + percent(metrics.topShare()));
        }
        pairTable(table, chosen, results);
        table.note("change outside the mask", outsideMask(chosen, results, sel.images()));
        table.note("where it changed", "share of the pixels changed by more than 1/255 / share of the change carried "
                + "by the 10% most-changed pixels, over all images: " + String.join(", ", locality)
                + " (a localised change touches few pixels and its largest changes carry most of it)");
        String subtitle = n + " Fashion-MNIST test image" + (n == 1 ? "" : "s");
        EvaluationPlots.coutCurves(curves, subtitle, dir.resolve("cout_curves.png"));

        if (lambdaCount > 0) lambdaSweep(table, results, nanos);
        Path md = table.write(dir);
        if (reportCount > 0) report(chosen, results, sel, Duration.ofNanos(System.nanoTime() - start));

        System.out.println();
        System.out.print(table.markdown());
        System.out.printf(Locale.ROOT, "%ntable: %s and %s; charts: %s%s; %s%n", md, dir.resolve("table.html"),
                dir.resolve("cout_curves.png"), lambdaCount > 0 ? ", " + dir.resolve("fr_vs_lambda.png") : "",
                ReportWriter.formatDuration(Duration.ofNanos(System.nanoTime() - start)));
        return 0;
    }

    /** Checks the arguments before anything is loaded; returns the chosen methods in table order. */
    private List<Method> validate() {
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1, got " + count);
        if (lambdaCount < 0) throw new IllegalArgumentException("--lambda-count must be 0 or more, got " + lambdaCount);
        if (reportCount < 0) throw new IllegalArgumentException("--report-count must be 0 or more, got " + reportCount);
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
        run.useDefaults(EmbeddedDefault.ATTACK_STEP, RunOptions.DEFAULT_BATCH, EmbeddedDefault.INPAINT_STEPS);
        EnumSet<Method> set = EnumSet.noneOf(Method.class);
        for (String s : methods) {
            if (s.isBlank()) continue;
            set.add(Method.parse(s));
        }
        if (set.isEmpty()) throw new IllegalArgumentException("--methods: choose at least one of " + Method.labels());
        return new ArrayList<>(set);
    }

    private Attack pgd(double lambda1, double lambda2) {
        return Attacks.pgd(run.settings(lambda1, lambda2));
    }

    /** The explainer of a method (lambda1: the l1 weight of the methods that use it). */
    private Explainer explainer(Method m, double lambda1) {
        if (m == Method.PLAIN_PGD) {
            return Explainer.builder(classifier).batchSize(run.batchSize).seed(run.seed).attack(pgd(lambda1, 0))
                    .refiner(Refiner.identity(EmbeddedDefault.MASK)).method(m.label).build();
        }
        Ablation refinement = switch (m) {
            case ACE_L1, ACE_L2 -> Ablation.ACE;
            case PRE_CE -> Ablation.PRE_CE;
            case F_CE -> Ablation.F_CE;
            case FR_CE -> Ablation.FR_CE;
            case PLAIN_PGD -> throw new IllegalStateException(m.label);
        };
        return throughFilter(m.group, lambda1).ablation(refinement).method(m.label).build();
    }

    /** PGD through the filter with the group's distance, the diffusion model, inpainting start and mask set. */
    private Explainer.Builder throughFilter(AttackGroup g, double lambda1) {
        Attack attack = g == AttackGroup.FILTERED_L1 ? pgd(lambda1, 0) : pgd(0, lambdaL2);
        return run.inpainting(Explainer.builder(classifier).batchSize(run.batchSize).seed(run.seed).attack(attack)
                .diffusion(diffusion, EmbeddedDefault.FRACTION)).mask(EmbeddedDefault.MASK);
    }

    /**
     * Runs every chosen method. The methods through the filter run in two steps, each stored: the attack (with the
     * identity refiner: Pre-CE's explanations, in {@code Pre-CE/} for the l1 distance and {@code Pre-CE-l2/} for
     * ACE-l2's l2), then each method's refiner on those pre-explanations. The l1 methods share one attack; a changed
     * refinement setting (--inpaint-steps) re-runs only the refinements.
     */
    private void explainAll(List<Method> chosen, DemoCommand.Selection sel, Targets targets,
                            Map<Method, List<Explanation>> results, Map<Method, Long> nanos) {
        if (chosen.contains(Method.PLAIN_PGD)) {
            Timed t = explainMissing(Method.PLAIN_PGD.label, explainer(Method.PLAIN_PGD, run.lambda), sel, targets,
                    dir.resolve(Method.PLAIN_PGD.label));
            results.put(Method.PLAIN_PGD, t.explanations());
            nanos.put(Method.PLAIN_PGD, t.nanos());
        }
        for (AttackGroup g : AttackGroup.values()) {
            List<Method> members = chosen.stream().filter(m -> m.group == g).toList();
            if (members.isEmpty()) continue;
            String users = String.join(", ", members.stream().map(m -> m.label).toList());
            Timed attack = explainMissing("attack through the filter (" + g.distance + ") for " + users,
                    attackExplainer(g), sel, targets, dir.resolve(g.folder));
            for (Method m : members) {
                if (m == Method.PRE_CE) {
                    results.put(m, attack.explanations());
                    nanos.put(m, attack.nanos());
                } else {
                    Timed refined = refineMissing(explainer(m, run.lambda), attack.explanations(), sel.images(),
                            dir.resolve(m.label), refinementSettings(m));
                    results.put(m, refined.explanations());
                    nanos.put(m, attack.nanos() + refined.nanos());
                }
            }
        }
    }

    /** The attack of a group with the identity refiner: Pre-CE for l1, "Pre-CE-l2" for l2. */
    private Explainer attackExplainer(AttackGroup g) {
        return throughFilter(g, run.lambda).ablation(Ablation.PRE_CE).method(g.folder).build();
    }

    /** What a method's refinement depends on beyond the attack (recorded next to its results). */
    private String refinementSettings(Method m) {
        String mask = "mask=" + EmbeddedDefault.MASK.dilation() + "," + EmbeddedDefault.MASK.threshold();
        return switch (m) {
            case ACE_L1, ACE_L2 -> "refiner=inpainting\ninpaint-steps=" + run.inpaintSteps + "\n" + mask + "\n";
            case FR_CE -> "refiner=filter\nfraction=" + EmbeddedDefault.FRACTION + "\n" + mask + "\n";
            case F_CE -> "refiner=filter, not respaced\nfraction=" + EmbeddedDefault.FRACTION + "\n" + mask + "\n";
            default -> throw new IllegalStateException(m.label + " is not refined");
        };
    }

    /** Explanations in selection order and the time they took (this run's wall time plus that of resumed ones). */
    private record Timed(List<Explanation> explanations, long nanos) {}

    /** Runs {@code explainer} on the selected images that {@code d/results.jsonl} does not hold yet (all without --resume). */
    private Timed explainMissing(String label, Explainer explainer, DemoCommand.Selection sel, Targets targets, Path d) {
        Map<Long, Explanation> done = previous(d, sel.ids());
        int[] missing = missing(sel.ids(), done);
        long t0 = System.nanoTime();
        if (missing.length > 0) {
            if (!done.isEmpty()) System.err.printf(Locale.ROOT, "%s: %d of %d explanations resumed from %s%n", label,
                    done.size(), sel.ids().length, d.resolve("results.jsonl"));
            INDArray images = sel.images().get(NDArrayIndex.indices(toLongs(missing))).dup();
            long[] ids = java.util.Arrays.stream(missing).mapToLong(i -> sel.ids()[i]).toArray();
            for (Explanation e : ExplanationRun.run(label, explainer, images, targets, ids, d)) done.put(e.sampleId(), e);
        } else {
            System.err.printf(Locale.ROOT, "%s: all %d explanations resumed from %s%n", label, done.size(), d.resolve("results.jsonl"));
        }
        return inOrder(sel.ids(), done, System.nanoTime() - t0, missing, i -> done.get(sel.ids()[i]).nanos());
    }

    /**
     * Applies {@code explainer}'s refiner to the shared pre-explanations that {@code d/results.jsonl} does not hold
     * yet, batch by batch, with the explainer's noise source (seeded with the run's seed), appending each finished
     * batch to {@code d/results.jsonl}. {@code settings} is recorded in {@code d/settings.txt}: with --resume,
     * refinements stored with other (or unrecorded) settings are moved aside and made again, which costs seconds to
     * minutes, not the hours of the attack.
     */
    private Timed refineMissing(Explainer explainer, List<Explanation> pre, INDArray images, Path d, String settings) {
        long[] allIds = pre.stream().mapToLong(Explanation::sampleId).toArray();
        keepOnlyRefinementsOf(settings, explainer.method(), d);
        Map<Long, Explanation> done = previous(d, allIds);
        int[] missing = missing(allIds, done);
        Refiner refiner = explainer.refiner();
        NoiseSource noise = NoiseSource.seeded(run.seed);
        int n = missing.length;
        System.err.println(explainer.method() + ": refining " + n + " of the " + pre.size() + " shared pre-explanations"
                + (done.isEmpty() ? "" : " (" + done.size() + " resumed)"));
        long t0 = System.nanoTime();
        ConsoleProgress bar = new ConsoleProgress(System.err, "images", n);
        Path file = d.resolve("results.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            for (int from = 0; from < n; from += run.batchSize) {
                int to = Math.min(n, from + run.batchSize);
                long tb = System.nanoTime();
                int[] rows = java.util.Arrays.copyOfRange(missing, from, to);
                List<Explanation> batch = java.util.Arrays.stream(rows).mapToObj(pre::get).toList();
                INDArray x = images.get(NDArrayIndex.indices(toLongs(rows))).dup();
                INDArray xPre = stack(batch, true);
                long[] ids = batch.stream().mapToLong(Explanation::sampleId).toArray();
                Refinement r = refiner.refine(x, xPre, ids, noise);
                INDArray p = classifier.probabilities(r.explanation());
                INDArray changed = r.keep().rsub(1.0);
                long perImage = (System.nanoTime() - tb) / (to - from);
                for (int i = 0; i < to - from; i++) {
                    Explanation e = batch.get(i);
                    Scores after = scores(p, i, e.source(), e.target());
                    Explanation refined = new Explanation(e.sampleId(), e.variant(), explainer.method(), e.source(),
                            e.target(), e.preExplanation(), image(r.explanation(), i), image(changed, i),
                            r.noisyStart() == null ? null : image(r.noisyStart(), i), e.before(), e.afterAttack(), after,
                            e.attackSuccess(), after.predicted() == e.target(), e.iterations(), e.nanos() + perImage);
                    w.write(ExplanationJson.mapper().writeValueAsString(refined));
                    w.newLine();
                    done.put(refined.sampleId(), refined);
                }
                w.flush();
                bar.update(to, "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        bar.finish();
        // a refined explanation's own time includes its attack; the method's time adds the attack separately
        return inOrder(allIds, done, System.nanoTime() - t0, missing, i -> done.get(allIds[i]).nanos() - pre.get(i).nanos());
    }

    /**
     * Moves {@code d/results.jsonl} aside (to {@code results.jsonl.old}) when {@code d/settings.txt} does not record
     * {@code settings}, then records them.
     */
    private void keepOnlyRefinementsOf(String settings, String method, Path d) {
        Path file = d.resolve("settings.txt");
        Path results = d.resolve("results.jsonl");
        try {
            Files.createDirectories(d);
            String before = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            if (resume && Files.exists(results) && !settings.equals(before)) {
                Path aside = d.resolve("results.jsonl.old");
                Files.move(results, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                System.err.printf(Locale.ROOT, "%s: the stored refinements were made with %s, this run uses %s: refining "
                                + "again (the old ones are in %s)%n", method,
                        before == null ? "unrecorded settings" : before.strip().replace('\n', ' '),
                        settings.strip().replace('\n', ' '), aside);
            }
            Files.writeString(file, settings, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * With --resume: the explanations of the selected samples in {@code d/results.jsonl}, by sample id (a line cut
     * short by an interrupted write is skipped). Without: none, and a previous run's file is deleted.
     */
    private Map<Long, Explanation> previous(Path d, long[] ids) {
        Path file = d.resolve("results.jsonl");
        Map<Long, Explanation> done = new LinkedHashMap<>();
        try {
            Files.createDirectories(d);
            if (!resume) {
                Files.deleteIfExists(file);
                return done;
            }
            if (!Files.exists(file)) return done;
            java.util.Set<Long> wanted = java.util.Arrays.stream(ids).boxed().collect(java.util.stream.Collectors.toSet());
            for (Explanation e : ExplanationJson.readLines(file)) {
                if (wanted.contains(e.sampleId())) done.put(e.sampleId(), e);
            }
            return done;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static int[] missing(long[] ids, Map<Long, Explanation> done) {
        return java.util.stream.IntStream.range(0, ids.length).filter(i -> !done.containsKey(ids[i])).toArray();
    }

    private static long[] toLongs(int[] a) { return java.util.Arrays.stream(a).asLongStream().toArray(); }

    /**
     * The explanations of {@code ids} in order; time = this run's wall time plus {@code resumedNanos} of each resumed
     * one (by index).
     */
    private static Timed inOrder(long[] ids, Map<Long, Explanation> done, long wall, int[] missing,
                                 java.util.function.IntToLongFunction resumedNanos) {
        java.util.Set<Integer> fresh = java.util.Arrays.stream(missing).boxed().collect(java.util.stream.Collectors.toSet());
        List<Explanation> list = new ArrayList<>(ids.length);
        long nanos = wall;
        for (int i = 0; i < ids.length; i++) {
            Explanation e = done.get(ids[i]);
            if (e == null) throw new IllegalStateException("no explanation of sample " + ids[i]);
            list.add(e);
            if (!fresh.contains(i)) nanos += resumedNanos.applyAsLong(i);
        }
        return new Timed(list, nanos);
    }

    /**
     * Writes the settings that determine the explanations to {@code <out>/evaluate/settings.txt}; with --resume,
     * refuses to mix results made with other settings.
     */
    private void checkResumable() {
        String settings = String.join("\n",
                "seed=" + run.seed, "steps=" + run.steps, "step-size=" + run.stepSize, "lambda=" + run.lambda,
                "lambda-l2=" + lambdaL2, "stop-margin=" + run.stopMargin,
                "classifier=" + EmbeddedDefault.classifierChecksum(), "diffusion=" + EmbeddedDefault.diffusionChecksum()) + "\n";
        Path file = dir.resolve("settings.txt");
        try {
            Files.createDirectories(dir);
            if (resume && Files.exists(file)) {
                String before = Files.readString(file, StandardCharsets.UTF_8);
                if (!before.equals(settings)) {
                    throw new IllegalArgumentException("--resume: " + file + " records other settings than this run's ("
                            + before.strip().replace('\n', ' ') + "); use another --out or run without --resume");
                }
            }
            Files.writeString(file, settings, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Scores scores(INDArray p, int row, int source, int target) {
        int best = 0;
        for (int c = 1; c < p.size(1); c++) if (p.getDouble(row, c) > p.getDouble(row, best)) best = c;
        return new Scores(best, p.getDouble(row, source), p.getDouble(row, target));
    }

    private static ImageData image(INDArray batch, int i) {
        return ImageData.of(batch.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()));
    }

    /** The explanations' (or pre-explanations') images as one batch [N, C, H, W]. */
    private static INDArray stack(List<Explanation> list, boolean preExplanation) {
        INDArray[] parts = new INDArray[list.size()];
        for (int i = 0; i < parts.length; i++) {
            INDArray a = (preExplanation ? list.get(i).preExplanation() : list.get(i).explanation()).toINDArray();
            parts[i] = a.reshape(1, a.size(0), a.size(1), a.size(2));
        }
        return Nd4j.concat(0, parts);
    }

    /**
     * The flip rate of each method per class pair (the pairs of the first chosen method's explanations, most
     * frequent first; every method explains the same images toward the same targets).
     */
    private static void pairTable(EvaluationTable table, List<Method> chosen, Map<Method, List<Explanation>> results) {
        Map<String, long[]> counts = new LinkedHashMap<>(); // pair -> [images, successes per method...]
        List<Explanation> first = results.get(chosen.get(0));
        for (Explanation e : first) {
            counts.computeIfAbsent(pairName(e), k -> new long[1 + chosen.size()])[0]++;
        }
        for (int m = 0; m < chosen.size(); m++) {
            for (Explanation e : results.get(chosen.get(m))) {
                long[] c = counts.get(pairName(e));
                if (c != null && e.success()) c[1 + m]++;
            }
        }
        List<EvaluationTable.PairRow> rows = new ArrayList<>();
        counts.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).forEach(en -> {
            long[] c = en.getValue();
            List<MetricValue> rates = new ArrayList<>();
            for (int m = 0; m < chosen.size(); m++) rates.add(MetricValue.of((double) c[1 + m] / c[0], c[0]));
            rows.add(new EvaluationTable.PairRow(en.getKey(), c[0], rates));
        });
        table.pairRows(chosen.stream().map(m -> m.label).toList(), rows);
    }

    /**
     * Per method, the largest |x' - x| over the pixels that its mask leaves out (0 for the inpainting refiners, which
     * keep the original there exactly; the other methods' masks only describe their change).
     */
    private static String outsideMask(List<Method> chosen, Map<Method, List<Explanation>> results, INDArray images) {
        List<String> parts = new ArrayList<>();
        for (Method m : chosen) {
            double worst = 0;
            List<Explanation> list = results.get(m);
            for (int i = 0; i < list.size(); i++) {
                float[] x = images.get(NDArrayIndex.point(i)).dup().data().asFloat();
                float[] e = list.get(i).explanation().data();
                float[] mask = list.get(i).mask().data();
                int plane = mask.length;
                for (int j = 0; j < x.length; j++) {
                    if (mask[j % plane] == 0f) worst = Math.max(worst, Math.abs(e[j] - x[j]));
                }
            }
            parts.add(m.label + " " + (worst == 0 ? "0" : String.format(Locale.ROOT, worst < 1e-3 ? "%.1e" : "%.4f", worst)));
        }
        return "largest |x' - x| where the mask is 0, over all images: " + String.join(", ", parts)
                + " (ACE's inpainting keeps the original there exactly; the other methods' masks only describe their change)";
    }

    private static String percent(MetricValue v) {
        return v.isDefined() ? String.format(Locale.ROOT, "%.1f%%", 100 * v.value()) : "n/a";
    }

    private static String pairName(Explanation e) {
        return FashionMnist.CLASS_NAMES.get(e.source()) + " -> " + FashionMnist.CLASS_NAMES.get(e.target());
    }

    /** Feeds a method's explanations to its metrics, 64 at a time (explanations are in image order). */
    private static void accumulate(MethodMetrics metrics, List<Explanation> list, INDArray images, INDArray originalFeatures) {
        for (int from = 0; from < list.size(); from += 64) {
            int to = Math.min(list.size(), from + 64);
            List<Explanation> batch = list.subList(from, to);
            int[] predicted = batch.stream().mapToInt(e -> e.after().predicted()).toArray();
            int[] sources = batch.stream().mapToInt(Explanation::source).toArray();
            int[] targets = batch.stream().mapToInt(Explanation::target).toArray();
            metrics.add(images.get(NDArrayIndex.interval(from, to)), originalFeatures.get(NDArrayIndex.interval(from, to)),
                    stack(batch, false), predicted, sources, targets);
        }
    }

    /** ACE-l1 at each lambda on the first --lambda-count images; the flip-rate table and chart. */
    private void lambdaSweep(EvaluationTable table, Map<Method, List<Explanation>> results, Map<Method, Long> nanos) {
        DemoCommand.Selection sub = DemoCommand.select(classifier, lambdaCount, run.seed);
        int m = (int) sub.images().size(0);
        Targets targets = Targets.from(DemoCommand::confusableWith);
        List<EvaluationTable.LambdaRow> rows = new ArrayList<>();
        double[] fr = new double[lambdas.length];
        double[] preFr = new double[lambdas.length];
        boolean reused = false;
        for (int k = 0; k < lambdas.length; k++) {
            double lambda = lambdas[k];
            List<Explanation> list;
            MetricValue time;
            List<Explanation> main = results.get(Method.ACE_L1);
            if (lambda == run.lambda && main != null && main.size() >= m) {
                // the same images (a prefix of the main selection), seed and settings: the main run's results
                list = main.subList(0, m);
                time = MetricValue.of(nanos.get(Method.ACE_L1) / 1e9 / main.size(), m);
                reused = true;
            } else {
                // attack and refinement stored apart, as in the main run
                Path d = dir.resolve("lambda-" + fmt(lambda));
                Timed pre = explainMissing("attack through the filter (l1), lambda " + fmt(lambda),
                        explainer(Method.PRE_CE, lambda), sub, targets, d.resolve(Method.PRE_CE.label));
                Timed t = refineMissing(explainer(Method.ACE_L1, lambda), pre.explanations(), sub.images(),
                        d.resolve(Method.ACE_L1.label), refinementSettings(Method.ACE_L1));
                list = t.explanations();
                time = MetricValue.of((pre.nanos() + t.nanos()) / 1e9 / m, m);
            }
            int[] targetClasses = list.stream().mapToInt(Explanation::target).toArray();
            MetricValue f = FlipRate.of(list.stream().mapToInt(e -> e.after().predicted()).toArray(), targetClasses);
            MetricValue pf = FlipRate.of(list.stream().mapToInt(e -> e.afterAttack().predicted()).toArray(), targetClasses);
            fr[k] = f.value();
            preFr[k] = pf.value();
            rows.add(new EvaluationTable.LambdaRow(lambda, m, f, pf, time));
        }
        table.lambdaRows("Flip rate against lambda (ACE-l1, the first " + m + " images"
                + (reused ? "; lambda " + fmt(run.lambda) + " taken from the main ACE-l1 run" : "") + ")", rows);
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("ACE-l1 explanations", fr);
        series.put("pre-explanations (attack only)", preFr);
        EvaluationPlots.flipRateVsLambda(lambdas, series, "ACE-l1, " + m + (m == 1 ? " image" : " images"),
                dir.resolve("fr_vs_lambda.png"));
    }

    private void notes(EvaluationTable table, int n) {
        table.note("images", n + " correctly classified Fashion-MNIST test images (the first of the test set shuffled "
                        + "with the seed), explained once each")
                .note("seed", run.seed)
                .note("targets", "each image's most confusable class (T-shirt/top <-> Shirt, Trouser -> Dress, Pullover "
                        + "<-> Coat, Dress -> T-shirt/top, Sandal <-> Sneaker, Bag -> Shirt, Ankle boot -> Sneaker)")
                .note("feature network", "penultimate layer of the shipped classifier fmnist-cnn (fc1 after ReLU, "
                        + FashionCnn.PENULTIMATE_SIZE + " values), for FID, sFID and S3; not Inception-v3 and not "
                        + "SimSiam, so FID/sFID/S3 are not comparable with published values")
                .note("metrics", "FR over all explanations; FID, sFID (" + MethodMetrics.SFID_SPLITS + " seeded splits), "
                        + "S3 (mean cosine similarity of the feature vectors of original and counterfactual) and mean "
                        + "l1 (mean |x - x'| per pixel, images in [0, 1]) over the successful explanations only; COUT "
                        + "over all pairs (insertion in " + Cout.REFERENCE_STEPS + " steps)")
                .note("attack", "PGD, " + run.steps + " iterations, step " + stepInWords(run.stepSize) + ", eps 1; l1 weight "
                        + fmt(run.lambda) + " (ACE-l1, Pre-CE, F-CE, FR-CE, plain-PGD), l2 weight " + fmt(lambdaL2)
                        + " (ACE-l2)" + (run.stopMargin == null ? ", no early stop" : ", each image stops once the target leads by "
                        + fmt(run.stopMargin) + " (--stop-margin)"))
                .note("diffusion", "embedded Fashion-MNIST DDPM, T=" + EmbeddedDefault.TIMESTEPS + ", respacing "
                        + EmbeddedDefault.RESPACING + ", fraction " + EmbeddedDefault.FRACTION + " (S="
                        + EmbeddedDefault.filterSteps(diffusion) + " filter steps); F-CE refines with "
                        + "the un-respaced filter (S=" + (int) (EmbeddedDefault.FRACTION * EmbeddedDefault.TIMESTEPS)
                        + " steps); plain-PGD attacks the classifier without the filter and does not refine")
                .note("mask", "dilation " + EmbeddedDefault.MASK.dilation() + ", threshold "
                        + EmbeddedDefault.MASK.threshold() + " (ACE-l1, ACE-l2 inpainting)")
                .note("inpainting", "ACE-l1 and ACE-l2 inpaint from " + run.inpaintSteps
                        + " of the " + diffusion.numSteps() + " respaced steps (--inpaint-steps; the filter the attack "
                        + "sees has S=" + EmbeddedDefault.filterSteps(diffusion) + ")")
                .note("time/image", "wall-clock seconds per image, batch " + run.batchSize + ", graph building included; "
                        + "Pre-CE, FR-CE, F-CE and ACE-l1 share one attack run, whose time counts in full for each; "
                        + "a refined method's time is its attack's plus its refinement's")
                .note("backend", Backends.describe() + ", OMP_NUM_THREADS=" + System.getenv().getOrDefault("OMP_NUM_THREADS", "unset")
                        + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
    }

    private void report(List<Method> chosen, Map<Method, List<Explanation>> results, DemoCommand.Selection sel,
                        Duration elapsed) {
        ReportWriter report = new ReportWriter(dir, "ace evaluate: example explanations", FashionMnist.CLASS_NAMES);
        for (Method m : chosen) {
            List<Explanation> list = results.get(m);
            report.section(m.label + " (the first " + Math.min(reportCount, list.size()) + " of " + list.size()
                    + "; metrics in table.html)", list.subList(0, Math.min(reportCount, list.size())), sel.originals());
        }
        report.setting("seed", run.seed).setting("attack", "PGD, " + run.steps + " iterations").setting("backend",
                Backends.describe());
        report.write(elapsed);
    }

    /** k/255 when the step is one, else the number. */
    static String stepInWords(double step) {
        double k = step * 255;
        return Math.abs(k - Math.rint(k)) < 1e-9 ? (long) Math.rint(k) + "/255" : fmt(step);
    }

    /** A number as written on the command line: 0.001, not 0.00100000. */
    static String fmt(double v) { return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString(); }
}
