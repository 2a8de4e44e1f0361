package org.acejvm.examples.evaluate;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.acejvm.attacks.AttackResult;
import org.acejvm.attacks.GradientAttack;
import org.acejvm.attacks.LatentAttacks;
import org.acejvm.attacks.LatentSpace;
import org.acejvm.attacks.Targets;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.examples.EmbeddedLatent;
import org.acejvm.examples.RunnerUp;
import org.acejvm.examples.data.MnistDigits;
import org.acejvm.examples.report.LabelledGrid;
import org.acejvm.metrics.AttributeProbes;
import org.acejvm.metrics.LatentPerturbationRatio;
import org.acejvm.metrics.morpho.Morphometrics;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The latent-space methods side by side on the embedded latent default (MNIST digits, the digit classifier, the
 * conditional VAE with a Morpho-MNIST attribute block), as {@code ace latent-demo} and {@code ace evaluate --generator
 * mnist-cvae} show them: each method runs over the same correctly classified test digits, each digit aimed at the
 * class the classifier finds second most probable; per method the flip rate, LPR, mean iterations, time per query and
 * the measured attribute changes, and with probes the global explanations per digit pair and their chart.
 */
public final class LatentEvaluation {
    /** Default absolute change of a standardised code coordinate above which LPR counts it as changed. */
    public static final double DEFAULT_LPR_TOLERANCE = 0.1;
    /** Default step of FGSM, the pixel-space baseline. */
    public static final double DEFAULT_FGSM_EPSILON = 0.2;
    /** Default number of training digits that fit the attribute probes. */
    public static final int DEFAULT_PROBE_DIGITS = 1000;
    private static final Color FLIPPED = new Color(0x00, 0x77, 0x00), NOT_FLIPPED = new Color(0xaa, 0x00, 0x00);

    /**
     * What is evaluated: {@code count} test digits from test digit {@code skip} on, AIP's (and xGEMs's, AIP_R's)
     * settings with the most iterations of every latent method, FGSM's step, LPR's tolerance, AIP_R's seed, and the
     * training digits of the attribute probes (0: no global explanations), fitted to the digits' own or to the decoded
     * codes' measurements.
     */
    public record Settings(int count, int skip, LatentAttacks.AipSettings aip, double fgsmEpsilon,
                           double lprTolerance, long seed, int probeDigits, boolean probeDecoded) {
        /** The defaults of latent-demo for {@code count} digits and AIP_R's {@code seed}. */
        public static Settings defaults(int count, long seed) {
            return new Settings(count, 0, EmbeddedLatent.AIP, DEFAULT_FGSM_EPSILON, DEFAULT_LPR_TOLERANCE, seed, DEFAULT_PROBE_DIGITS, false);
        }
    }

    /** A method to run: its attack, and whether it searches the code (false: a pixel-space baseline such as FGSM). */
    public record Method(GradientAttack attack, boolean latentCodes) {}

    /** One method's results over all digits. */
    public record MethodRun(String name, boolean latentCodes, AttackResult result, double seconds, double[] lpr,
                            double[] lprZ, double[][] attributeChange) {}

    /** The global explanations: the table's rows, and the chart's mean probe scores per digit pair and its title. */
    private record Global(List<List<String>> rows, Map<String, double[]> chart, String chartTitle) {}

    private final Settings settings;
    private final EmbeddedLatent latent;
    private final MnistDigits digits;
    private final int[] targets;
    private final INDArray reconstruction;
    private final List<MethodRun> runs;
    private final Global global;

    private LatentEvaluation(Settings settings, EmbeddedLatent latent, MnistDigits digits, int[] targets,
                             INDArray reconstruction, List<MethodRun> runs, Global global) {
        this.settings = settings;
        this.latent = latent;
        this.digits = digits;
        this.targets = targets;
        this.reconstruction = reconstruction;
        this.runs = List.copyOf(runs);
        this.global = global;
    }

    /**
     * Runs the methods over the first {@code settings.count()} correctly classified test digits (progress lines on
     * standard error unless {@code quiet}) and fits the probes of the global explanations. {@code methods} makes them
     * on the code space that the evaluation encodes and decodes with.
     */
    public static LatentEvaluation run(EmbeddedLatent latent, Settings settings, Function<LatentSpace, List<Method>> methods,
                                       boolean quiet) {
        int count = settings.count();
        SameDiffClassifier classifier = latent.classifier();
        MnistDigits digits = correctlyClassified(classifier, count, settings.skip());
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
        INDArrayIndex[] zOnly = {NDArrayIndex.all(), NDArrayIndex.interval(0, latent.codeSize())};

        List<MethodRun> runs = new ArrayList<>();
        for (Method m : methods.apply(space)) {
            long t0 = System.nanoTime();
            AttackResult r = m.attack().prepare(classifier).run(x, Targets.classes(targets), null, null, null);
            double seconds = (System.nanoTime() - t0) / 1e9;
            INDArray reference = m.latentCodes() ? reconstructionCodes : start;
            INDArray reEncoded = space.start(r.adversarial());
            double[] lpr = new LatentPerturbationRatio(settings.lprTolerance()).add(reference, reEncoded);
            double[] lprZ = new LatentPerturbationRatio(settings.lprTolerance()).add(reference.get(zOnly).dup(), reEncoded.get(zOnly).dup());
            Morphometrics[] measured = Morphometrics.measure(r.adversarial());
            double[][] change = new double[count][];
            for (int i = 0; i < count; i++) {
                double[] a = measured[i].toArray(), b = measuredX[i].toArray();
                change[i] = new double[a.length];
                for (int k = 0; k < a.length; k++) change[i][k] = a[k] - b[k];
            }
            runs.add(new MethodRun(m.attack().name(), m.latentCodes(), r, seconds, lpr, lprZ, change));
            if (!quiet) System.err.printf(Locale.ROOT, "%s: %d digits in %.1f s%n", m.attack().name(), count, seconds);
        }
        Global global = settings.probeDigits() > 0 ? globalExplanations(settings, latent, space, runs, targets, start) : null;
        return new LatentEvaluation(settings, latent, digits, targets, reconstruction, runs, global);
    }

    /**
     * The first {@code n} test digits from test digit {@code skip} on (round robin over the classes) that the classifier
     * assigns to their label: a counterfactual explains a decision, and the runner-up of a misclassified digit may be its
     * own label.
     */
    public static MnistDigits correctlyClassified(SameDiffClassifier classifier, int n, int skip) {
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
        INDArray images = all.images().get(NDArrayIndex.indices(Arrays.stream(rows).asLongStream().toArray())).dup();
        int[] labels = new int[n], indices = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = all.labels()[rows[i]];
            indices[i] = all.indices()[rows[i]];
        }
        return new MnistDigits(images, labels, indices);
    }

    public List<MethodRun> runs() { return runs; }

    public MnistDigits digits() { return digits; }

    /** Each digit's target: the class the classifier finds second most probable. */
    public int[] targets() { return targets.clone(); }

    private static final String TITLE = "Latent-space counterfactuals of %d MNIST test digits";
    private static final String GLOBAL_TITLE = "Global explanations per digit pair";

    /** The table and, with probes, the global explanations, as Markdown. */
    public String markdown() {
        return "# " + String.format(Locale.ROOT, TITLE, settings.count()) + "\n\n" + intro() + "\n\n" + markdown(mainHeaders(), mainAlignment(), mainRows())
                + (global != null ? "\n## " + GLOBAL_TITLE + "\n\n" + globalIntro() + "\n\n" + markdown(GLOBAL_HEADERS, GLOBAL_ALIGNMENT, global.rows()) : "");
    }

    /** The same as a standalone HTML page; {@code chartFile} (the global-importance chart beside it) is shown if not null. */
    public String html(String chartFile) {
        StringBuilder s = EvaluationTable.htmlPage(String.format(Locale.ROOT, TITLE, settings.count()));
        s.append("<p>").append(EvaluationTable.esc(intro())).append("</p>\n");
        EvaluationTable.appendHtmlTable(s, "results", mainHeaders(), mainRows());
        if (global != null) {
            s.append("<h2>").append(EvaluationTable.esc(GLOBAL_TITLE)).append("</h2>\n<p>").append(EvaluationTable.esc(globalIntro())).append("</p>\n");
            if (chartFile != null) s.append("<p><img src=\"").append(EvaluationTable.esc(chartFile)).append("\" alt=\"global importance\"></p>\n");
            EvaluationTable.appendHtmlTable(s, "pairs", GLOBAL_HEADERS, global.rows());
        }
        return s.append("</body></html>\n").toString();
    }

    /**
     * Writes the global-importance chart (the first latent method's mean probe scores for its most frequent digit
     * pairs) to {@code file}; false (nothing written) without probes or without a flipped latent counterfactual.
     */
    public boolean writeGlobalImportance(Path file) {
        if (global == null || global.chart().isEmpty()) return false;
        EvaluationPlots.globalImportance(global.chart(), latent.attributeNames(), latent.attributeStd(), global.chartTitle(), file);
        return true;
    }

    /** The first {@code rows} digits: the digit, its decoded code, and each method's counterfactual. */
    public LabelledGrid grid(int rows) {
        List<String> columns = new ArrayList<>(List.of("digit", "D(E(x), a(x))"));
        runs.forEach(r -> columns.add(r.name()));
        LabelledGrid g = new LabelledGrid("Latent-space counterfactuals (MNIST, embedded latent default)", columns);
        double[] std = latent.attributeStd();
        for (int i = 0; i < Math.min(rows, settings.count()); i++) {
            List<INDArray> cells = new ArrayList<>(List.of(digits.images().get(NDArrayIndex.point(i)), reconstruction.get(NDArrayIndex.point(i))));
            List<LabelledGrid.Line> label = new ArrayList<>();
            label.add(new LabelledGrid.Line(digits.labels()[i] + " -> " + targets[i]));
            for (MethodRun r : runs) {
                cells.add(r.result().adversarial().get(NDArrayIndex.point(i)));
                label.add(new LabelledGrid.Line(String.format(Locale.ROOT, "%s: p %.2f, %s", r.name(),
                        r.result().probabilities().getDouble(i, targets[i]), topChanges(r.attributeChange()[i], latent.attributeNames(), std, 1)),
                        r.result().reached()[i] ? FLIPPED : NOT_FLIPPED));
            }
            g.row(label, cells);
        }
        return g;
    }

    /**
     * The {@code k} largest of {@code change} in units of {@code std} (area in pixels and slant in radians are not
     * comparable in their own units), each shown in its own units.
     */
    public static String topChanges(double[] change, List<String> names, double[] std, int k) {
        List<Integer> order = AttributeProbes.ranking(standardised(change, std));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.size()); i++) {
            parts.add(String.format(Locale.ROOT, "%s %+.2f", names.get(order.get(i)), change[order.get(i)]));
        }
        return String.join(", ", parts);
    }

    private static double[] standardised(double[] values, double[] std) {
        double[] s = values.clone();
        for (int k = 0; k < s.length; k++) s[k] /= std[k];
        return s;
    }

    private String intro() {
        Settings s = settings;
        LatentAttacks.AipSettings a = s.aip();
        return "Embedded latent default (mnist-cnn, mnist-cvae); the first correctly classified test digits"
                + (s.skip() > 0 ? " from test digit " + s.skip() + " on" : "") + ", round robin over the classes; each aimed at "
                + "the class the classifier finds second most probable; at most " + a.maxIterations() + " iterations. LPR: share "
                + "of the " + (latent.codeSize() + latent.attributeNames().size()) + " code values (z re-encoded, a re-measured, "
                + "standardised) that moved by more than " + s.lprTolerance() + " between the image the method started from "
                + "(latent methods: the decoded original; FGSM: the original) and the counterfactual; LPR (z): the same over the "
                + latent.codeSize() + " values of z; both averaged over all digits, and LPR (z) also over the flipped ones only "
                + "(a digit that did not flip has no counterfactual, and a search that stopped short of its target moved less). "
                + "AIP (and xGEMs, AIP_R): " + String.format(Locale.ROOT, "alpha %s, beta %s, mu %s, gamma %s", a.alpha(), a.beta(),
                a.mu(), a.gamma()) + ". FGSM: one pixel-space step of " + s.fgsmEpsilon() + ". Attribute change: mean absolute "
                + "difference of the measurement between counterfactual and original.";
    }

    private List<String> mainHeaders() {
        List<String> h = new ArrayList<>(List.of("method", "flip rate", "LPR", "LPR (z)", "LPR (z), flipped", "mean iterations",
                "time per query (s)"));
        for (String n : latent.attributeNames()) h.add("change of " + n);
        return h;
    }

    private String mainAlignment() { return "|---|" + "---:|".repeat(mainHeaders().size() - 1); }

    private List<List<String>> mainRows() {
        int count = settings.count();
        List<List<String>> rows = new ArrayList<>();
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
            List<String> row = new ArrayList<>(List.of(r.name(), String.format(Locale.ROOT, "%.1f%% (%d/%d)", 100.0 * flips / count, flips, count),
                    fixed3(lpr / count), fixed3(lprZ / count), flips == 0 ? "-" : fixed3(lprZFlipped / flips),
                    String.format(Locale.ROOT, "%.1f", its / count), fixed3(r.seconds() / count)));
            for (int k = 0; k < latent.attributeNames().size(); k++) {
                double sum = 0;
                for (int i = 0; i < count; i++) sum += Math.abs(r.attributeChange()[i][k]);
                row.add(fixed3(sum / count));
            }
            rows.add(row);
        }
        return rows;
    }

    private static String fixed3(double v) { return String.format(Locale.ROOT, "%.3f", v); }

    private static final List<String> GLOBAL_HEADERS = List.of("method", "pair", "digits", "top attribute", "probe score",
            "measured change", "signs agree");
    private static final String GLOBAL_ALIGNMENT = "|---|---|---:|---|---:|---:|---|";

    private String globalIntro() {
        return String.format(Locale.ROOT, "Ridge probes of the measurements (of the %s) on the codes of %d training digits; per "
                + "pair of flipped counterfactuals, the attribute with the largest mean predicted change in training standard "
                + "deviations (its probe score in its own units) and the mean change measured on the decoded counterfactuals.",
                settings.probeDecoded() ? "decoded codes" : "digits", settings.probeDigits());
    }

    /**
     * Global explanations (Counterfactual Attacks' attribution): ridge probes of the 6 measurements on the codes of
     * training digits; for each digit pair with flipped counterfactuals, the attribute the probes rank first (mean
     * predicted change) beside the change actually measured on the decoded counterfactuals, and whether their signs
     * agree; the chart shows the first latent method's most frequent pairs.
     */
    private static Global globalExplanations(Settings settings, EmbeddedLatent latent, LatentSpace space, List<MethodRun> runs,
                                             int[] targets, INDArray start) {
        int probeDigits = settings.probeDigits();
        MnistDigits train = MnistDigits.load(MnistDigits.Split.TRAIN, probeDigits);
        INDArray trainCodes = space.start(train.images());
        Morphometrics[] trainMeasured = Morphometrics.measure(settings.probeDecoded() ? space.toImage(trainCodes) : train.images());
        double[][] attrs = new double[probeDigits][];
        for (int i = 0; i < probeDigits; i++) attrs[i] = trainMeasured[i].toArray();
        AttributeProbes probes = AttributeProbes.fitRidge(trainCodes, attrs, latent.attributeNames(), 1.0);
        List<List<String>> rows = new ArrayList<>();
        Map<String, double[]> chart = new LinkedHashMap<>();
        String chartTitle = null;
        for (MethodRun r : runs) {
            if (!r.latentCodes()) continue; // a pixel-space method has no code to probe
            double[][] local = probes.localScores(start, r.result().search());
            Map<String, List<Integer>> pairs = new TreeMap<>();
            for (int i = 0; i < settings.count(); i++) {
                if (r.result().reached()[i]) {
                    pairs.computeIfAbsent(r.result().sources()[i] + " -> " + targets[i], key -> new ArrayList<>()).add(i);
                }
            }
            int agree = 0;
            Set<String> agreeing = new HashSet<>();
            for (var e : pairs.entrySet()) {
                double[] global = AttributeProbes.globalScores(local, e.getValue());
                int top = AttributeProbes.ranking(standardised(global, latent.attributeStd())).get(0);
                double measured = 0;
                for (int i : e.getValue()) measured += r.attributeChange()[i][top] / e.getValue().size();
                boolean same = Math.signum(measured) == Math.signum(global[top]);
                if (same) {
                    agree++;
                    agreeing.add(e.getKey());
                }
                rows.add(List.of(r.name(), e.getKey(), Integer.toString(e.getValue().size()), latent.attributeNames().get(top),
                        String.format(Locale.ROOT, "%+.3f", global[top]), String.format(Locale.ROOT, "%+.3f", measured), same ? "yes" : "no"));
            }
            rows.add(List.of(r.name(), "all", "", "", "", "", agree + " of " + pairs.size() + " pairs"));
            // the most frequent pairs (most counterfactuals; ties by name), where the global score rests on most digits
            List<String> frequent = new ArrayList<>(pairs.keySet());
            frequent.sort((a, b) -> pairs.get(b).size() != pairs.get(a).size() ? pairs.get(b).size() - pairs.get(a).size() : a.compareTo(b));
            frequent = frequent.subList(0, Math.min(10, frequent.size()));
            rows.add(List.of(r.name(), "the " + frequent.size() + " most frequent pairs", "", "", "", "",
                    frequent.stream().filter(agreeing::contains).count() + " of " + frequent.size() + " pairs"));
            if (chartTitle == null) { // the first latent method's
                for (String pair : frequent) chart.put(pair, AttributeProbes.globalScores(local, pairs.get(pair)));
                chartTitle = "Global importance of the measured attributes for " + r.name() + " (the " + frequent.size()
                        + " most frequent digit pairs)";
            }
        }
        return new Global(rows, chart, chartTitle);
    }

    /** A Markdown table; an empty cell is written "| |". */
    private static String markdown(List<String> headers, String alignment, List<List<String>> rows) {
        StringBuilder s = new StringBuilder(line(headers)).append(alignment).append('\n');
        rows.forEach(r -> s.append(line(r)));
        return s.toString();
    }

    private static String line(List<String> cells) {
        StringBuilder s = new StringBuilder("|");
        for (String c : cells) s.append(c.isEmpty() ? " |" : " " + c + " |");
        return s.append('\n').toString();
    }
}
