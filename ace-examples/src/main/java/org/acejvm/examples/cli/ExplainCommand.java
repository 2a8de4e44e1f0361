package org.acejvm.examples.cli;

import java.nio.file.Files;
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
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.RunnerUp;
import org.acejvm.examples.report.ReportWriter;
import org.acejvm.metrics.ImageDistances;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.MaskSettings;
import org.acejvm.refine.batch.MethodSpec;
import org.acejvm.refine.calibrate.AttackDiagnosis;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ace explain}: ACE for the user's own ONNX classifier and diffusion UNet (or the embedded ones) on image
 * files. Images must already have the model's size unless {@code --resize} is given.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain image files with an ONNX classifier and an ONNX diffusion UNet (defaults: the embedded models).")
public final class ExplainCommand implements Callable<Integer> {
    /** The reference's filter depth, the default with one's own models. */
    static final double REFERENCE_FRACTION = 0.1;

    @Mixin AttackOptions run;

    @Mixin ModelOptions models;

    @Option(names = "--image", required = true, arity = "1..*",
            description = "PNG or JPEG files to explain, folders of them, or patterns such as 'shoes/*.png'.")
    List<Path> images;

    @Option(names = "--target", required = true, split = ",",
            description = "Target class, as an index or a name (the embedded classes' or --labels'): one for all images, or one "
                    + "per image (comma-separated); 'opposite' for a binary classifier; 'runner-up' for each image's second "
                    + "most probable class.")
    List<String> target;

    @Option(names = "--fraction", description = "Filter depth tau as a fraction of the respaced steps (default: "
            + "0.2 with the embedded models, 0.1, the reference's, with your own).")
    Double fractionOption;

    /** The filter depth in use: --fraction, or the default of the models in use. */
    double fraction;

    @Option(names = "--dilation", description = "Mask dilation in pixels (default: 3 for the embedded models, 15 otherwise).")
    Integer dilation;

    @Option(names = "--threshold", description = "Mask threshold (default: 0.3 for the embedded models, 0.15, the "
            + "reference's, otherwise).")
    Double threshold;

    @Option(names = "--resize", description = "Resize images to the classifier's input size instead of failing.")
    boolean resize;

    @Option(names = "--grayscale", description = "Convert colour images to grey for a 1-channel classifier instead of failing.")
    boolean grayscale;

    @Option(names = "--json", description = "Print the results as one JSON object (per image: file, classes, success, mask area, "
            + "probabilities, change) on stdout instead of the summary lines; for scripts (with --quiet).")
    boolean json;

    @Option(names = "--settings", description = "A method written by 'ace calibrate' (MethodSpec text, e.g. "
            + "out/calibration.txt): its attack, step, distance weights, filter fraction, mask, seed and batch size replace "
            + "those options.")
    Path settingsFile;

    @Option(names = "--generator", description = "Explain with a latent-space method instead of ACE: the generator's ONNX "
            + "decoder (code [N, d] to images in [0, 1]), or '" + LatentExplain.EMBEDDED + "' for the embedded MNIST "
            + "conditional VAE and digit classifier.")
    String generator;

    @Option(names = "--encoder", description = "With a --generator file: the ONNX encoder giving each image its start code "
            + "(its first output, a VAE's mean).")
    Path encoderFile;

    @Option(names = "--latent-method", defaultValue = "aip",
            description = "With --generator: aip, xgems, latent-attack (Counterfactual Attacks) or aip-r (default: ${DEFAULT-VALUE}).")
    String latentMethod;

    @Option(names = "--attribute-size", description = "With a --generator file: how many of the code's last values are "
            + "its attribute block, which AIP steps with its own gamma (default: 0).")
    Integer attributeSize;

    @Option(names = "--max-iterations", defaultValue = "500",
            description = "With --generator: most iterations per image (the papers' 500; default: ${DEFAULT-VALUE}).")
    int maxIterations;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        RunOptions.checkOutputFolder(run.out);
        images = ImageFiles.expand(images, "--image");
        if (generator != null) return explainInLatentSpace(start);
        fraction = fractionOption != null ? fractionOption : models.embedded() ? EmbeddedDefault.FRACTION : REFERENCE_FRACTION;
        if (encoderFile != null) throw new InvalidInputException("--encoder needs --generator");
        Backends.logOnce();
        SameDiffClassifier classifier = models.classifier();
        ImageSpec spec = classifier.inputSpec();
        INDArray batch = ImageFiles.read(images, spec, resize, grayscale, "--image");
        Targets targets = targets(classifier, batch);
        DiffusionModel diffusion = models.diffusion(spec);
        MethodSpec settings = settingsFile == null ? null : readSettings(settingsFile);
        Explainer explainer = explainer(classifier, diffusion, settings);
        long[] ids = new long[(int) batch.size(0)];
        Map<Long, INDArray> originals = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
            originals.put((long) i, batch.get(NDArrayIndex.point(i)).dup());
        }
        long seed = settings == null ? run.seed : settings.seed();
        List<Explanation> results = ExplanationRun.run("ACE", explainer, batch, targets, ids, run.out, seed,
                run.progress(explainer.batchSize()));
        List<String> reasons = diagnose(results, originals, explainer.attack().settings().step());
        ReportWriter report = new ReportWriter(run.out, "ACE explanations", models.classNames(classifier.numClasses()))
                .section("ACE", results, originals)
                .setting("images", images.toString()).setting("classifier", models.describeClassifier())
                .setting("diffusion", models.describeDiffusion() + ", fraction " + (settings == null ? fraction : settings.fraction()))
                .setting("attack", settings == null ? run.describeAttack() : settingsFile + ": " + describe(settings))
                .setting("seed", seed).setting("backend", Backends.describe());
        if (settings == null) report.setting("mask", "dilation " + mask().dilation() + ", threshold " + mask().threshold());
        if (!reasons.isEmpty()) report.setting("attack diagnosis", String.join("; ", reasons));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        Path html = report.write(elapsed);
        if (json) {
            System.out.println(json(results, originals, models.classNames(classifier.numClasses()), html, reasons));
            return 0;
        }
        reasons.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "flip rate: %.1f%% (%d/%d); report: %s, %s%n", 100 * ReportWriter.flipRate(results),
                results.stream().filter(Explanation::success).count(), results.size(), html, ReportWriter.formatDuration(elapsed));
        return 0;
    }

    /** --generator: a latent-space method on the images, with the embedded digit classifier for the embedded generator. */
    private int explainInLatentSpace(long start) {
        if (models.diffusionFile != null) throw new InvalidInputException("--diffusion applies to ACE; a --generator run uses no diffusion model");
        if (settingsFile != null) throw new InvalidInputException("--settings applies to ACE; a --generator run takes --latent-method");
        Backends.logOnce();
        LatentExplain.Generator g = LatentExplain.generator(generator, encoderFile, attributeSize);
        SameDiffClassifier classifier = models.classifierFile == null && g.embedded() != null ? g.embedded().classifier() : models.classifier();
        List<String> names = models.labelsFile == null && models.classifierFile == null && g.embedded() != null
                ? LatentExplain.digitNames(classifier.numClasses()) : models.classNames(classifier.numClasses());
        INDArray batch = ImageFiles.read(images, classifier.inputSpec(), resize, grayscale, "--image");
        g.space().sampleShape(classifier.inputSpec()); // a decoder that does not make the classifier's images fails here
        int[] t = targets(classifier, batch).resolve(classifier.predict(batch), classifier.numClasses());
        var attack = LatentExplain.attack(latentMethod, g, maxIterations, run.seed);
        int batchSize = run.batchSizeOption != null ? run.batchSizeOption : 64;
        if (batchSize < 1) throw new InvalidInputException.Range("--batch-size: expected at least 1, got " + batchSize);
        List<LatentExplain.Row> rows = LatentExplain.run(attack, g, classifier, batch, t, images, names, batchSize, run.out, run.quiet);
        if (json) {
            System.out.println(LatentExplain.json(rows, names, run.out, g));
            return 0;
        }
        System.out.printf(Locale.ROOT, "%s %s; report: %s, %s%n", attack.name(), LatentExplain.summary(rows),
                run.out.resolve("report.html"), ReportWriter.formatDuration(Duration.ofNanos(System.nanoTime() - start)));
        return 0;
    }

    /** The results as JSON: the report's path, the flip rate and one object per image, in the order given. */
    private String json(List<Explanation> results, Map<Long, INDArray> originals, List<String> names, Path html,
                        List<String> reasons) {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = mapper.createObjectNode();
        root.put("report", html.toString());
        root.put("flipRate", ReportWriter.flipRate(results));
        com.fasterxml.jackson.databind.node.ArrayNode images = root.putArray("images");
        for (Explanation e : results) {
            com.fasterxml.jackson.databind.node.ObjectNode o = images.addObject();
            o.put("file", this.images.get((int) e.sampleId()).toString());
            o.put("source", e.source()).put("sourceName", names.get(e.source()));
            o.put("target", e.target()).put("targetName", e.target() >= 0 ? names.get(e.target()) : null);
            o.put("success", e.success()).put("attackSuccess", e.attackSuccess()).put("iterations", e.iterations());
            o.put("pTargetBefore", e.before().target()).put("pTargetAfter", e.after().target());
            long[] shape = e.explanation().shape();
            INDArray x = originals.get(e.sampleId()).reshape(1, shape[0], shape[1], shape[2]);
            INDArray cf = e.explanation().toINDArray().reshape(1, shape[0], shape[1], shape[2]);
            o.put("meanAbsChange", ImageDistances.perImage(x, cf).get(ImageDistances.Norm.L1)[0]);
            o.put("maskArea", e.mask().toINDArray().meanNumber().doubleValue()); // share of pixels the refinement may change
        }
        root.putArray("diagnosis").addAll(reasons.stream().map(mapper.getNodeFactory()::textNode).toList());
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The explainer of the options, or of {@code settings} (a calibrated method) where given. */
    Explainer explainer(SameDiffClassifier classifier, DiffusionModel diffusion, MethodSpec settings) {
        if (settings != null) return settings.explainer(classifier, diffusion);
        boolean embedded = models.embedded();
        boolean embeddedDepth = embedded && fraction == EmbeddedDefault.FRACTION;
        run.useDefaults(embedded ? EmbeddedDefault.ATTACK_STEP : org.acejvm.attacks.AttackSettings.REFERENCE_STEP,
                RunOptions.DEFAULT_BATCH, embeddedDepth ? EmbeddedDefault.INPAINT_STEPS : null,
                embeddedDepth ? EmbeddedDefault.FILTER_SAMPLES : 1,
                embeddedDepth ? EmbeddedDefault.CLASS_LOSS : new org.acejvm.attacks.ClassLoss.CrossEntropy(),
                embeddedDepth ? EmbeddedDefault.ITERATIONS : org.acejvm.attacks.AttackSettings.REFERENCE_ITERATIONS);
        return run.inpainting(Explainer.builder(classifier).attack(run.attack()).diffusion(diffusion, fraction)).mask(mask())
                .batchSize(run.batchSize).seed(run.seed).method("ACE-" + run.distance).build();
    }

    private MaskSettings mask() {
        return new MaskSettings(dilation != null ? dilation : models.embedded() ? EmbeddedDefault.MASK.dilation()
                : MaskSettings.REFERENCE_DILATION, threshold != null ? threshold : models.embedded()
                ? EmbeddedDefault.MASK.threshold() : MaskSettings.REFERENCE_THRESHOLD);
    }

    static MethodSpec readSettings(Path file) {
        ModelOptions.requireFile(file, "--settings");
        try {
            return MethodSpec.parse(Files.readString(file));
        } catch (java.io.IOException e) {
            throw new ModelFormatException("--settings: cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String describe(MethodSpec s) {
        return s.toText().strip().replace("\n", ", ");
    }

    /** One line per image whose attack did not move or did not raise the target's probability. */
    private List<String> diagnose(List<Explanation> results, Map<Long, INDArray> originals, double step) {
        List<String> out = new ArrayList<>();
        for (Explanation e : results) {
            float[] x = originals.get(e.sampleId()).castTo(DataType.FLOAT).dup('c').data().asFloat();
            AttackDiagnosis.of(x, e, step).ifPresent(r -> out.add(images.get((int) e.sampleId()).getFileName() + ": " + r));
        }
        return out;
    }

    private Targets targets(SameDiffClassifier classifier, INDArray batch) {
        int numClasses = classifier.numClasses();
        if (target.size() == 1 && target.get(0).equalsIgnoreCase("runner-up")) {
            return Targets.classes(RunnerUp.of(classifier.probabilities(batch)));
        }
        if (target.size() == 1 && target.get(0).equalsIgnoreCase("opposite")) {
            if (numClasses != 2) throw new InvalidInputException.ClassIndex("--target opposite needs a binary classifier, this one has " + numClasses + " classes");
            return Targets.opposite();
        }
        if (target.size() != 1 && target.size() != images.size()) {
            throw new InvalidInputException.Mismatch("--target: give one class for all images or one per image; got "
                    + target.size() + " for " + images.size() + " images");
        }
        int[] t = new int[images.size()];
        for (int i = 0; i < t.length; i++) t[i] = models.classIndex(target.get(target.size() == 1 ? 0 : i), numClasses, "--target");
        return Targets.classes(t);
    }
}
