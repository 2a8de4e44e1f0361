package org.acejvm.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.acejvm.attacks.AttackResult;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.GradientAttack;
import org.acejvm.attacks.LatentAttacks;
import org.acejvm.attacks.LatentSpace;
import org.acejvm.attacks.Targets;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.io.Images;
import org.acejvm.examples.EmbeddedLatent;
import org.acejvm.examples.data.MnistDigits;
import org.acejvm.examples.evaluate.EvaluationPlots;
import org.acejvm.examples.report.LabelledGrid;
import org.acejvm.metrics.AttributeProbes;
import org.acejvm.metrics.LatentPerturbationRatio;
import org.acejvm.metrics.morpho.Morphometrics;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ace latent-demo}: the latent-space methods side by side on the embedded latent default (MNIST digits, the
 * digit classifier, the conditional VAE with a Morpho-MNIST attribute block): for each test digit, aimed at the class
 * the classifier finds second most probable, AIP, xGEMs, the Counterfactual Attack (and AIP_R) search the code (z, a);
 * a table of flip rate, LPR, the measured attribute changes and time per query, and a grid of the digits.
 */
@Command(name = "latent-demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Latent-space counterfactuals (AIP, xGEMs, Counterfactual Attack, AIP_R) of MNIST test digits "
                + "with the embedded digit classifier and conditional VAE; writes <out>/table.md, <out>/grid.png and "
                + "<out>/global_importance.png.")
public final class LatentDemoCommand implements Callable<Integer> {
    /** Default absolute change of a standardised code coordinate above which LPR counts it as changed. */
    static final double LPR_TOLERANCE = 0.1;
    private static final java.awt.Color FLIPPED = new java.awt.Color(0x00, 0x77, 0x00), NOT_FLIPPED = new java.awt.Color(0xaa, 0x00, 0x00);

    @Option(names = "--count", defaultValue = "20", description = "Test digits (round robin over the classes; default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--methods", split = ",", defaultValue = "aip,xgems,latent-attack,aip-r,fgsm",
            description = "Any of aip, xgems, latent-attack, aip-r and fgsm (pixel space, the baseline of LPR) (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--fgsm-epsilon", defaultValue = "0.2", description = "FGSM's step in pixels (default: ${DEFAULT-VALUE}).")
    double fgsmEpsilon;

    @Option(names = "--iterations", defaultValue = "500", description = "Most iterations per digit (the papers' 500; default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--alpha", description = "AIP's (and xGEMs's, AIP_R's) weight of the l2 distance to the start code "
            + "(default: 3, chosen for the embedded generator (see EmbeddedLatent.AIP); the paper's is 1.5).")
    Double alpha;

    @Option(names = "--mu", description = "AIP's step of z (default: the paper's 2).")
    Double mu;

    @Option(names = "--gamma", description = "AIP's step of the attribute block (default: the paper's 3).")
    Double gamma;

    @Option(names = "--lpr-tolerance", defaultValue = "0.1",
            description = "Change of a standardised code value above which LPR counts it as changed (default: ${DEFAULT-VALUE}).")
    double lprTolerance = LPR_TOLERANCE;

    @Option(names = "--skip", defaultValue = "0", description = "Leave out the first test digits, e.g. to choose "
            + "settings on other digits than those a table reports (default: ${DEFAULT-VALUE}).")
    int skip;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of AIP_R's random directions (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--grid-rows", defaultValue = "10", description = "Digits shown in grid.png (default: ${DEFAULT-VALUE}).")
    int gridRows;

    @Option(names = "--probe-digits", defaultValue = "1000",
            description = "Training digits whose codes and measurements fit the attribute probes (default: ${DEFAULT-VALUE}; 0: no probes).")
    int probeDigits;

    @Option(names = "--probe-labels", defaultValue = "original",
            description = "What the probes learn to predict from a training digit's code: 'original', the digit's own "
                    + "measurements (as the paper's labelled set), or 'decoded', those of the decoded code (what the "
                    + "generator shows) (default: ${DEFAULT-VALUE}).")
    String probeLabels;

    @Option(names = "--out", defaultValue = "out/latent", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    /** One method's results over all digits. */
    record MethodRun(String name, boolean latentCodes, AttackResult result, double seconds, double[] lpr, double[] lprZ,
                     double[][] attributeChange) {}

    @Override
    public Integer call() throws Exception {
        if (count < 1) throw new InvalidInputException.Range("--count: expected at least 1, got " + count);
        if (iterations < 1) throw new InvalidInputException.Range("--iterations: expected at least 1, got " + iterations);
        Files.createDirectories(out);
        EmbeddedLatent latent = EmbeddedLatent.load();
        SameDiffClassifier classifier = latent.classifier();
        MnistDigits digits = correctlyClassified(classifier, count, skip);
        LatentSpace space = latent.space();
        INDArray x = digits.images();
        int[] targets = RunnerUp.of(classifier.probabilities(x));
        INDArray start = space.start(x);
        INDArray reconstruction = space.toImage(start);
        Morphometrics[] measuredX = Morphometrics.measure(x);
        // LPR compares re-encoded codes (z from the encoder, a measured again) of the counterfactual and of the image the
        // method started from: the decoded original for the latent methods, the original for FGSM (so the
        // encoder-decoder round trip cancels)
        INDArray reconstructionCodes = space.start(reconstruction);
        org.nd4j.linalg.indexing.INDArrayIndex[] zOnly = {NDArrayIndex.all(), NDArrayIndex.interval(0, latent.codeSize())};

        List<MethodRun> runs = new ArrayList<>();
        for (String m : methods) {
            GradientAttack attack = attack(m, space, latent.attributeNames().size());
            boolean latentCodes = !m.equalsIgnoreCase("fgsm");
            long t0 = System.nanoTime();
            AttackResult r = attack.prepare(classifier).run(x, Targets.classes(targets), null, null, null);
            double seconds = (System.nanoTime() - t0) / 1e9;
            INDArray reference = latentCodes ? reconstructionCodes : start;
            INDArray reEncoded = space.start(r.adversarial());
            double[] lpr = new LatentPerturbationRatio(lprTolerance).add(reference, reEncoded);
            double[] lprZ = new LatentPerturbationRatio(lprTolerance).add(reference.get(zOnly).dup(), reEncoded.get(zOnly).dup());
            Morphometrics[] measured = Morphometrics.measure(r.adversarial());
            double[][] change = new double[count][];
            for (int i = 0; i < count; i++) {
                double[] a = measured[i].toArray(), b = measuredX[i].toArray();
                change[i] = new double[a.length];
                for (int k = 0; k < a.length; k++) change[i][k] = a[k] - b[k];
            }
            runs.add(new MethodRun(attack.name(), latentCodes, r, seconds, lpr, lprZ, change));
            if (!quiet) System.err.printf(Locale.ROOT, "%s: %d digits in %.1f s%n", attack.name(), count, seconds);
        }
        String table = table(runs, latent);
        if (probeDigits > 0) table += globalExplanations(runs, latent, space, targets, start);
        Files.writeString(out.resolve("table.md"), table);
        Images.writePng(grid(runs, digits, targets, x, reconstruction, latent.attributeStd()).render(), out.resolve("grid.png"));
        System.out.print(table);
        System.out.println("grid: " + out.resolve("grid.png"));
        return 0;
    }

    /**
     * The first {@code n} test digits (round robin over the classes) that the classifier assigns to their label: a
     * counterfactual explains a decision, and the runner-up of a misclassified digit may be its own label.
     */
    static MnistDigits correctlyClassified(SameDiffClassifier classifier, int n) { return correctlyClassified(classifier, n, 0); }

    /** The same, from the test digit {@code skip} on (the first {@code skip} left out). */
    static MnistDigits correctlyClassified(SameDiffClassifier classifier, int n, int skip) {
        if (skip < 0 || skip >= MnistDigits.TEST_SIZE) {
            throw new InvalidInputException.Range("--skip: expected 0 to " + (MnistDigits.TEST_SIZE - 1) + ", got " + skip);
        }
        MnistDigits all = MnistDigits.load(MnistDigits.Split.TEST, Math.min(MnistDigits.TEST_SIZE, skip + n + n / 10 + 20));
        int[] predicted = classifier.predict(all.images());
        List<Integer> keep = new ArrayList<>();
        for (int i = skip; i < predicted.length && keep.size() < n; i++) if (predicted[i] == all.labels()[i]) keep.add(i);
        if (keep.size() < n) {
            throw new InvalidInputException.Range("--count: only " + keep.size() + " correctly classified test digits among the "
                    + (predicted.length - skip) + " from digit " + skip + " on (ask for fewer)");
        }
        int[] rows = keep.stream().mapToInt(Integer::intValue).toArray();
        INDArray images = all.images().get(NDArrayIndex.indices(java.util.Arrays.stream(rows).asLongStream().toArray())).dup();
        int[] labels = new int[n], indices = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = all.labels()[rows[i]];
            indices[i] = all.indices()[rows[i]];
        }
        return new MnistDigits(images, labels, indices);
    }

    /** AIP's settings: the embedded generator's, with --alpha, --mu, --gamma and --iterations where given. */
    private LatentAttacks.AipSettings aipSettings() {
        LatentAttacks.AipSettings p = EmbeddedLatent.AIP;
        return new LatentAttacks.AipSettings(alpha != null ? alpha : p.alpha(), p.beta(), iterations,
                mu != null ? mu : p.mu(), gamma != null ? gamma : p.gamma());
    }

    private static String describe(LatentAttacks.AipSettings a) {
        return String.format(Locale.ROOT, "alpha %s, beta %s, mu %s, gamma %s", a.alpha(), a.beta(), a.mu(), a.gamma());
    }

    /** The attack of a --methods name: the latent methods with the papers' settings (AIP's as {@link #aipSettings}). */
    private GradientAttack attack(String method, LatentSpace space, int attributes) {
        if (method.equalsIgnoreCase("fgsm")) return Attacks.fgsm(fgsmEpsilon);
        GradientAttack a = LatentExplain.attack(method, space, attributes, aipSettings(), seed);
        if (a == null) {
            throw new InvalidInputException("--methods: unknown method '" + method
                    + "' (expected aip, xgems, latent-attack, aip-r or fgsm)");
        }
        return a;
    }

    private String table(List<MethodRun> runs, EmbeddedLatent latent) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "# Latent-space counterfactuals of %d MNIST test digits%n%n", count));
        s.append("Embedded latent default (mnist-cnn, mnist-cvae); the first correctly classified test digits")
                .append(skip > 0 ? " from test digit " + skip + " on" : "").append(", round robin "
                + "over the classes; each aimed at the class the classifier finds second "
                + "most probable; at most ").append(iterations).append(" iterations. LPR: share of the ")
                .append(latent.codeSize() + latent.attributeNames().size()).append(" code values (z "
                + "re-encoded, a re-measured, standardised) that moved by more than ").append(lprTolerance)
                .append(" between the image the method started from (latent methods: the decoded original; FGSM: the "
                        + "original) and the counterfactual; LPR (z): the same over the ").append(latent.codeSize())
                .append(" values of z; both averaged over all digits, and LPR (z) also over the flipped ones only (a digit "
                        + "that did not flip has no counterfactual, and a search that stopped short of its target moved "
                        + "less). AIP (and xGEMs, AIP_R): ").append(describe(aipSettings())).append(". FGSM: one pixel-space step of ").append(fgsmEpsilon)
                .append(". Attribute change: mean absolute difference of the measurement between counterfactual and "
                        + "original.\n\n");
        s.append("| method | flip rate | LPR | LPR (z) | LPR (z), flipped | mean iterations | time per query (s) |");
        for (String n : latent.attributeNames()) s.append(" change of ").append(n).append(" |");
        s.append("\n|---|---:|---:|---:|---:|---:|---:|");
        for (int k = 0; k < latent.attributeNames().size(); k++) s.append("---:|");
        s.append('\n');
        for (MethodRun r : runs) {
            boolean[] reached = r.result().reached();
            int flips = 0;
            double its = 0, lpr = 0, lprZ = 0, lprZFlipped = 0;
            for (int i = 0; i < count; i++) {
                if (reached[i]) {
                    flips++;
                    lprZFlipped += r.lprZ()[i];
                }
                its += r.result().iterations()[i];
                lpr += r.lpr()[i];
                lprZ += r.lprZ()[i];
            }
            s.append(String.format(Locale.ROOT, "| %s | %.1f%% (%d/%d) | %.3f | %.3f | %s | %.1f | %.3f |", r.name(), 100.0 * flips / count,
                    flips, count, lpr / count, lprZ / count, flips == 0 ? "-" : String.format(Locale.ROOT, "%.3f", lprZFlipped / flips),
                    its / count, r.seconds() / count));
            for (int k = 0; k < latent.attributeNames().size(); k++) {
                double sum = 0;
                for (int i = 0; i < count; i++) sum += Math.abs(r.attributeChange()[i][k]);
                s.append(String.format(Locale.ROOT, " %.3f |", sum / count));
            }
            s.append('\n');
        }
        return s.toString();
    }

    /**
     * Global explanations (Counterfactual Attacks' attribution): ridge probes of the 6 measurements on the codes of
     * training digits; for each digit pair with flipped counterfactuals, the attribute the probes rank first (mean
     * predicted change) beside the change actually measured on the decoded counterfactuals, and whether their signs
     * agree.
     */
    private String globalExplanations(List<MethodRun> runs, EmbeddedLatent latent, LatentSpace space, int[] targets,
                                      INDArray start) {
        MnistDigits train = MnistDigits.load(MnistDigits.Split.TRAIN, probeDigits);
        INDArray trainCodes = space.start(train.images());
        boolean decoded = switch (probeLabels.toLowerCase(Locale.ROOT)) {
            case "decoded" -> true;
            case "original" -> false;
            default -> throw new InvalidInputException("--probe-labels: expected decoded or original, got '" + probeLabels + "'");
        };
        Morphometrics[] trainMeasured = Morphometrics.measure(decoded ? space.toImage(trainCodes) : train.images());
        double[][] attrs = new double[probeDigits][];
        for (int i = 0; i < probeDigits; i++) attrs[i] = trainMeasured[i].toArray();
        AttributeProbes probes = AttributeProbes.fitRidge(trainCodes, attrs, latent.attributeNames(), 1.0);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%n## Global explanations per digit pair%n%n"
                + "Ridge probes of the measurements (of the %s) on the codes of %d training digits; per pair of flipped counterfactuals, "
                + "the attribute with the largest mean predicted change in training standard deviations (its probe score "
                + "in its own units) and the mean change measured on the "
                + "decoded counterfactuals.%n%n| method | pair | digits | top attribute | probe score | measured change | signs agree |"
                + "%n|---|---|---:|---|---:|---:|---|%n", decoded ? "decoded codes" : "digits", probeDigits));
        boolean charted = false;
        for (MethodRun r : runs) {
            if (!r.latentCodes()) continue; // a pixel-space method has no code to probe
            double[][] local = probes.localScores(start, r.result().search());
            java.util.Map<String, List<Integer>> pairs = new java.util.TreeMap<>();
            for (int i = 0; i < count; i++) {
                if (r.result().reached()[i]) {
                    pairs.computeIfAbsent(r.result().sources()[i] + " -> " + targets[i], key -> new ArrayList<>()).add(i);
                }
            }
            int agree = 0;
            java.util.Set<String> agreeing = new java.util.HashSet<>();
            for (var e : pairs.entrySet()) {
                double[] global = AttributeProbes.globalScores(local, e.getValue());
                int top = largestInStd(global, latent.attributeStd());
                double measured = 0;
                for (int i : e.getValue()) measured += r.attributeChange()[i][top] / e.getValue().size();
                boolean same = Math.signum(measured) == Math.signum(global[top]);
                if (same) {
                    agree++;
                    agreeing.add(e.getKey());
                }
                s.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %+.3f | %+.3f | %s |%n", r.name(), e.getKey(),
                        e.getValue().size(), latent.attributeNames().get(top), global[top], measured, same ? "yes" : "no"));
            }
            s.append(String.format(Locale.ROOT, "| %s | all | | | | | %d of %d pairs |%n", r.name(), agree, pairs.size()));
            // the most frequent pairs (most counterfactuals; ties by name), where the global score rests on most digits
            List<String> frequent = new ArrayList<>(pairs.keySet());
            frequent.sort((a, b) -> pairs.get(b).size() != pairs.get(a).size() ? pairs.get(b).size() - pairs.get(a).size() : a.compareTo(b));
            frequent = frequent.subList(0, Math.min(10, frequent.size()));
            s.append(String.format(Locale.ROOT, "| %s | the %d most frequent pairs | | | | | %d of %d pairs |%n", r.name(),
                    frequent.size(), frequent.stream().filter(agreeing::contains).count(), frequent.size()));
            if (!charted) { // the first latent method's
                java.util.Map<String, double[]> chart = new java.util.LinkedHashMap<>();
                for (String pair : frequent) chart.put(pair, AttributeProbes.globalScores(local, pairs.get(pair)));
                EvaluationPlots.globalImportance(chart, latent.attributeNames(), latent.attributeStd(),
                        "Global importance of the measured attributes for " + r.name() + " (the " + frequent.size()
                                + " most frequent digit pairs)", out.resolve("global_importance.png"));
                charted = true;
            }
        }
        return s.toString();
    }

    private LabelledGrid grid(List<MethodRun> runs, MnistDigits digits, int[] targets, INDArray x, INDArray reconstruction,
                              double[] std) {
        List<String> columns = new ArrayList<>(List.of("digit", "D(E(x), a(x))"));
        runs.forEach(r -> columns.add(r.name()));
        LabelledGrid g = new LabelledGrid("Latent-space counterfactuals (MNIST, embedded latent default)", columns);
        for (int i = 0; i < Math.min(gridRows, count); i++) {
            List<INDArray> cells = new ArrayList<>(List.of(x.get(NDArrayIndex.point(i)), reconstruction.get(NDArrayIndex.point(i))));
            List<LabelledGrid.Line> label = new ArrayList<>();
            label.add(new LabelledGrid.Line(digits.labels()[i] + " -> " + targets[i]));
            for (MethodRun r : runs) {
                cells.add(r.result().adversarial().get(NDArrayIndex.point(i)));
                label.add(new LabelledGrid.Line(String.format(Locale.ROOT, "%s: p %.2f, %s", r.name(),
                        r.result().probabilities().getDouble(i, targets[i]), topChange(r.attributeChange()[i], std)),
                        r.result().reached()[i] ? FLIPPED : NOT_FLIPPED));
            }
            g.row(label, cells);
        }
        return g;
    }

    /** The largest measured attribute change of one digit in training standard deviations, shown in its own units. */
    private static String topChange(double[] change, double[] std) {
        return LatentExplain.topChanges(change, Morphometrics.NAMES, std, 1);
    }

    /**
     * The attribute whose value is largest in units of its training standard deviation: area (pixels) and slant
     * (radians) are not comparable in their own units.
     */
    private static int largestInStd(double[] values, double[] std) {
        double[] standardised = values.clone();
        for (int k = 0; k < standardised.length; k++) standardised[k] /= std[k];
        return AttributeProbes.ranking(standardised).get(0);
    }
}
