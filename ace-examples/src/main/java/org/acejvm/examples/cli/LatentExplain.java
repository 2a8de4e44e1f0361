package org.acejvm.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.acejvm.attacks.AttackResult;
import org.acejvm.attacks.GradientAttack;
import org.acejvm.attacks.LatentAttacks;
import org.acejvm.attacks.LatentSpace;
import org.acejvm.attacks.SearchSpace;
import org.acejvm.attacks.StartCodes;
import org.acejvm.attacks.Targets;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.io.Images;
import org.acejvm.core.onnx.OnnxModel;
import org.acejvm.examples.EmbeddedLatent;
import org.acejvm.examples.evaluate.LatentEvaluation;
import org.acejvm.examples.report.LabelledGrid;
import org.acejvm.metrics.morpho.Morphometrics;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code ace explain --generator}: a latent-space method (AIP, xGEMs, the Counterfactual Attack or AIP_R) instead of
 * ACE, searching the code of a generator for image files. The generator is the user's ONNX decoder (code [N, d] to
 * images [N, C, H, W] in [0, 1]) with their ONNX encoder (images to codes [N, d]; its first output, a VAE's mean), or
 * the embedded MNIST conditional VAE ({@value #EMBEDDED}), whose code ends in six Morpho-MNIST measurements that are
 * measured again on each counterfactual.
 */
final class LatentExplain {
    /** The --generator value that selects the embedded MNIST models (classifier mnist-cnn unless --classifier). */
    static final String EMBEDDED = "mnist-cvae";
    static final List<String> METHODS = List.of("aip", "xgems", "latent-attack", "aip-r");
    private static final java.awt.Color FLIPPED = new java.awt.Color(0x00, 0x77, 0x00), NOT_FLIPPED = new java.awt.Color(0xaa, 0x00, 0x00);

    /** The generator, where its code comes from, the size of its attribute block, and the embedded models if in use. */
    record Generator(LatentSpace space, int attributeSize, EmbeddedLatent embedded) {}

    private LatentExplain() {}

    /** The generator of --generator / --encoder / --attribute-size. */
    static Generator generator(String generator, Path encoderFile, Integer attributeSize) {
        if (generator.equalsIgnoreCase(EMBEDDED)) {
            if (encoderFile != null) throw new InvalidInputException("--encoder: the embedded generator " + EMBEDDED + " has its own encoder");
            EmbeddedLatent latent = EmbeddedLatent.load();
            int a = latent.attributeNames().size();
            if (attributeSize != null && attributeSize != a) {
                throw new InvalidInputException.Mismatch("--attribute-size: the embedded generator's attribute block has " + a
                        + " values (" + String.join(", ", latent.attributeNames()) + "), got " + attributeSize);
            }
            return new Generator(latent.space(), a, latent);
        }
        Path decoderFile = Path.of(generator);
        ModelOptions.requireFile(decoderFile, "--generator");
        if (encoderFile == null) {
            throw new InvalidInputException("--encoder: a --generator file needs the encoder that gives each image its start code");
        }
        ModelOptions.requireFile(encoderFile, "--encoder");
        OnnxModel decoder = OnnxModel.load(decoderFile).withNamespace("decoder");
        OnnxModel encoder = OnnxModel.load(encoderFile).withNamespace("encoder");
        long[] code = codeShape(decoder);
        int a = attributeSize == null ? 0 : attributeSize;
        long size = Arrays.stream(code).reduce(1, (p, q) -> p * q);
        if (a < 0 || a > size) {
            throw new InvalidInputException.Range("--attribute-size: expected 0 to " + size + " (the code's size), got " + a);
        }
        StartCodes fromEncoder = StartCodes.encoder(encoder);
        StartCodes checked = (images, ids) -> {
            INDArray z = fromEncoder.codes(images, ids);
            long[] expected = new long[code.length + 1];
            expected[0] = images.size(0);
            System.arraycopy(code, 0, expected, 1, code.length);
            if (!Arrays.equals(z.shape(), expected)) {
                throw new InvalidInputException.Mismatch("--encoder gives codes of shape " + Arrays.toString(z.shape())
                        + ", the --generator reads codes of shape " + Arrays.toString(expected));
            }
            return z;
        };
        return new Generator(SearchSpace.latent(decoder, code, checked), a, null);
    }

    /** The decoder's code shape (its input's shape without the batch axis), which must be fixed. */
    private static long[] codeShape(OnnxModel decoder) {
        long[] shape = decoder.inputShape(decoder.inputNames().get(0));
        if (shape == null || shape.length < 2 || Arrays.stream(shape, 1, shape.length).anyMatch(d -> d < 1)) {
            throw new InvalidInputException.Shape("--generator: expected an input of fixed shape [N, d...] (the code), got "
                    + (shape == null ? "no shape" : Arrays.toString(shape)));
        }
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    /**
     * The attack of a --latent-method name with at most {@code iterations}: the papers' settings, except AIP's alpha on
     * the embedded generator ({@link EmbeddedLatent#AIP}).
     */
    static GradientAttack attack(String method, Generator g, int iterations, long seed) {
        if (iterations < 1) throw new InvalidInputException.Range("--max-iterations: expected at least 1, got " + iterations);
        LatentAttacks.AipSettings aip = (g.embedded() != null ? EmbeddedLatent.AIP : LatentAttacks.AipSettings.PAPER).withMaxIterations(iterations);
        GradientAttack a = attack(method, g.space(), g.attributeSize(), aip, seed);
        if (a == null) {
            throw new InvalidInputException("--latent-method: expected one of " + String.join(", ", METHODS) + ", got '" + method + "'");
        }
        return a;
    }

    /**
     * The latent method named {@code method} (one of {@link #METHODS}) with AIP's settings {@code aip} (the
     * Counterfactual Attack takes only its iteration budget) and AIP_R's seed; null for another name.
     */
    static GradientAttack attack(String method, LatentSpace space, int attributeSize, LatentAttacks.AipSettings aip, long seed) {
        return switch (method.toLowerCase(Locale.ROOT)) {
            case "aip" -> LatentAttacks.aip(space, attributeSize, aip);
            case "xgems" -> LatentAttacks.xgems(space, attributeSize, aip);
            case "latent-attack" -> LatentAttacks.counterfactualAttack(space, LatentAttacks.CF_LEARNING_RATE,
                    LatentAttacks.CF_THRESHOLD, aip.maxIterations());
            case "aip-r" -> LatentAttacks.aipRandom(space, attributeSize, aip, seed);
            default -> null;
        };
    }

    /** One image's result: the counterfactual, its decoded start, and (embedded generator) the measured changes. */
    record Row(String file, int source, int target, boolean success, int iterations, double pTargetBefore,
               double pTargetAfter, double meanAbsChange, double[] attributeChange, double[] probeScore) {}

    /** Training digits whose codes and measurements fit the embedded generator's attribute probes. */
    static final int PROBE_DIGITS = 1000;

    /**
     * Ridge probes of the six measurements on the codes of {@value #PROBE_DIGITS} training digits (Counterfactual
     * Attacks' attribution, as in latent-demo), for the embedded generator; null for a generator file.
     */
    static org.acejvm.metrics.AttributeProbes probes(Generator g) {
        if (g.embedded() == null) return null;
        org.acejvm.examples.data.MnistDigits train = org.acejvm.examples.data.MnistDigits.load(
                org.acejvm.examples.data.MnistDigits.Split.TRAIN, PROBE_DIGITS);
        Morphometrics[] m = Morphometrics.measure(train.images());
        double[][] attrs = new double[PROBE_DIGITS][];
        for (int i = 0; i < PROBE_DIGITS; i++) attrs[i] = m[i].toArray();
        return org.acejvm.metrics.AttributeProbes.fitRidge(g.space().start(train.images()), attrs, g.embedded().attributeNames(), 1.0);
    }

    /**
     * Runs {@code attack} on {@code images} (in batches of {@code batch}), writes {@code grid.png}, {@code results.md}
     * and {@code report.html} into {@code out}, and returns the rows in image order.
     */
    static List<Row> run(GradientAttack attack, Generator g, SameDiffClassifier classifier, INDArray images, int[] targets,
                         List<Path> files, List<String> classNames, int batch, Path out, boolean quiet) {
        int n = (int) images.size(0);
        List<Row> rows = new ArrayList<>();
        List<INDArray> decodedStarts = new ArrayList<>(), counterfactuals = new ArrayList<>();
        var prepared = attack.prepare(classifier);
        org.acejvm.metrics.AttributeProbes probes = probes(g);
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            INDArray x = images.get(NDArrayIndex.interval(from, to)).dup();
            int[] t = Arrays.copyOfRange(targets, from, to);
            AttackResult r = prepared.run(x, Targets.classes(t), null, null, null);
            INDArray decoded = g.space().toImage(r.start());
            INDArray pBefore = classifier.probabilities(x);
            Morphometrics[] mx = g.embedded() == null ? null : Morphometrics.measure(x);
            Morphometrics[] mc = g.embedded() == null ? null : Morphometrics.measure(r.adversarial());
            double[][] scores = probes == null ? null : probes.localScores(r.start(), r.search());
            for (int i = 0; i < to - from; i++) {
                INDArray xi = x.get(NDArrayIndex.point(i)), ci = r.adversarial().get(NDArrayIndex.point(i));
                double[] change = null;
                if (mx != null && mx[i].defined() && mc[i].defined()) {
                    double[] a = mc[i].toArray(), b = mx[i].toArray();
                    change = new double[a.length];
                    for (int k = 0; k < a.length; k++) change[k] = a[k] - b[k];
                }
                rows.add(new Row(files.get(from + i).toString(), r.sources()[i], t[i], r.reached()[i], r.iterations()[i],
                        pBefore.getDouble(i, t[i]), r.probabilities().getDouble(i, t[i]),
                        Transforms.meanAbs(ci.sub(xi)), change, scores == null ? null : scores[i]));
                decodedStarts.add(decoded.get(NDArrayIndex.point(i)).dup());
                counterfactuals.add(ci.dup());
            }
            if (!quiet) System.err.printf(Locale.ROOT, "%s: %d/%d images%n", attack.name(), to, n);
        }
        write(attack.name(), g, images, decodedStarts, counterfactuals, rows, classNames, out);
        return rows;
    }

    private static void write(String method, Generator g, INDArray images, List<INDArray> decoded, List<INDArray> cfs,
                              List<Row> rows, List<String> names, Path out) {
        LabelledGrid grid = new LabelledGrid(method + " counterfactuals",
                List.of("image", "decoded start G(E(x))", method, "difference |x'-x|"));
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            INDArray x = images.get(NDArrayIndex.point(i));
            List<LabelledGrid.Line> label = new ArrayList<>();
            label.add(new LabelledGrid.Line(Path.of(r.file()).getFileName() + ": " + names.get(r.source()) + " -> " + names.get(r.target())));
            label.add(new LabelledGrid.Line(String.format(Locale.ROOT, "p(target) %.2f -> %.2f, %d it.", r.pTargetBefore(),
                    r.pTargetAfter(), r.iterations()), r.success() ? FLIPPED : NOT_FLIPPED));
            if (r.attributeChange() != null) label.add(new LabelledGrid.Line("measured: " + topChanges(r.attributeChange(), g.embedded(), 2)));
            if (r.probeScore() != null) label.add(new LabelledGrid.Line("probes: " + topChanges(r.probeScore(), g.embedded(), 2)));
            INDArray diff = Images.heatMap(Transforms.absDiffPerPixel(cfs.get(i), x), 1.0);
            grid.row(label, List.of(x, decoded.get(i), cfs.get(i), diff));
        }
        try {
            Files.createDirectories(out);
            Images.writePng(grid.render(), out.resolve("grid.png"));
            Files.writeString(out.resolve("results.md"), markdown(method, rows, names, g));
            Files.writeString(out.resolve("report.html"), html(method, rows, names, g));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code k} largest attribute changes of the embedded generator, in training standard deviations. */
    static String topChanges(double[] change, EmbeddedLatent latent, int k) {
        return LatentEvaluation.topChanges(change, latent.attributeNames(), latent.attributeStd(), k);
    }

    private static String markdown(String method, List<Row> rows, List<String> names, Generator g) {
        StringBuilder s = new StringBuilder("# " + method + " counterfactuals\n\n");
        s.append(summary(rows)).append("\n\n| image | class -> target | flipped | iterations | p(target) before -> after | mean |x'-x| |");
        if (g.embedded() != null) s.append(" largest measured changes | largest probe scores |");
        s.append("\n|---|---|---|---:|---|---:|").append(g.embedded() != null ? "---|---|" : "").append('\n');
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, "| %s | %s -> %s | %s | %d | %.3f -> %.3f | %.4f |", r.file(), names.get(r.source()),
                    names.get(r.target()), r.success() ? "yes" : "no", r.iterations(), r.pTargetBefore(), r.pTargetAfter(), r.meanAbsChange()));
            if (g.embedded() != null) {
                s.append(' ').append(r.attributeChange() == null ? "(blank image)" : topChanges(r.attributeChange(), g.embedded(), 3)).append(" |");
                s.append(' ').append(topChanges(r.probeScore(), g.embedded(), 3)).append(" |");
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static String html(String method, List<Row> rows, List<String> names, Generator g) {
        StringBuilder s = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(esc(method))
                .append(" counterfactuals</title><style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}</style>"
                        + "</head><body><h1>").append(esc(method)).append(" counterfactuals</h1><p>").append(esc(summary(rows)))
                .append("</p>").append(g.embedded() == null ? "" : "<p>Attributions: the measured changes are the Morpho-MNIST "
                        + "measurements of the counterfactual minus those of the image; the probe scores are the changes that "
                        + "ridge probes fitted on the codes of " + PROBE_DIGITS + " training digits predict from the start code "
                        + "to the counterfactual's code. Both ranked in training standard deviations, shown in their own units "
                        + "(pixels, radians).</p>").append("<img src=\"grid.png\" alt=\"grid\"><table><tr><th>image</th><th>class -&gt; target</th><th>flipped</th>"
                        + "<th>iterations</th><th>p(target) before -&gt; after</th><th>mean |x'-x|</th>");
        if (g.embedded() != null) s.append("<th>largest measured attribute changes</th><th>largest probe scores</th>");
        s.append("</tr>");
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s -&gt; %s</td><td>%s</td><td>%d</td><td>%.3f -&gt; %.3f</td><td>%.4f</td>",
                    esc(r.file()), esc(names.get(r.source())), esc(names.get(r.target())), r.success() ? "yes" : "no", r.iterations(),
                    r.pTargetBefore(), r.pTargetAfter(), r.meanAbsChange()));
            if (g.embedded() != null) {
                s.append("<td>").append(esc(r.attributeChange() == null ? "(blank image)" : topChanges(r.attributeChange(), g.embedded(), 3))).append("</td>");
                s.append("<td>").append(esc(topChanges(r.probeScore(), g.embedded(), 3))).append("</td>");
            }
            s.append("</tr>");
        }
        return s.append("</table></body></html>\n").toString();
    }

    static String summary(List<Row> rows) {
        long flipped = rows.stream().filter(Row::success).count();
        return String.format(Locale.ROOT, "flip rate: %.1f%% (%d/%d)", rows.isEmpty() ? 0 : 100.0 * flipped / rows.size(), flipped, rows.size());
    }

    /** The rows as one JSON object, for scripts. */
    static String json(List<Row> rows, List<String> names, Path out, Generator g) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("report", out.resolve("report.html").toString());
        root.put("flipRate", rows.isEmpty() ? 0 : rows.stream().filter(Row::success).count() / (double) rows.size());
        ArrayNode list = root.putArray("images");
        for (Row r : rows) {
            ObjectNode o = list.addObject();
            o.put("file", r.file()).put("source", r.source()).put("sourceName", names.get(r.source()));
            o.put("target", r.target()).put("targetName", names.get(r.target()));
            o.put("success", r.success()).put("iterations", r.iterations());
            o.put("pTargetBefore", r.pTargetBefore()).put("pTargetAfter", r.pTargetAfter()).put("meanAbsChange", r.meanAbsChange());
            if (r.attributeChange() != null) {
                ObjectNode a = o.putObject("attributeChange");
                for (int k = 0; k < r.attributeChange().length; k++) a.put(g.embedded().attributeNames().get(k), r.attributeChange()[k]);
            }
            if (r.probeScore() != null) {
                ObjectNode a = o.putObject("probeScore");
                for (int k = 0; k < r.probeScore().length; k++) a.put(g.embedded().attributeNames().get(k), r.probeScore()[k]);
            }
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Small array helpers over [C, H, W] images. */
    private static final class Transforms {
        static double meanAbs(INDArray d) { return org.nd4j.linalg.ops.transforms.Transforms.abs(d, true).meanNumber().doubleValue(); }

        /** Sum over channels of |a - b|, as [1, H, W]. */
        static INDArray absDiffPerPixel(INDArray a, INDArray b) {
            return org.nd4j.linalg.ops.transforms.Transforms.abs(a.sub(b), false).sum(true, 0);
        }
    }

    /** Digit class names "0" to "9" for the embedded generator's classifier. */
    static List<String> digitNames(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) names.add(Integer.toString(i));
        return names;
    }
}
