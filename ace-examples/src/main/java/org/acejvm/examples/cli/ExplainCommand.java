package org.acejvm.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.acejvm.core.Preprocessing;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.io.Images;
import org.acejvm.core.onnx.OnnxModel;
import org.acejvm.core.result.Explanation;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.NoiseSchedule;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.examples.report.ReportWriter;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.MaskSettings;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
    @Mixin AttackOptions run;

    @Option(names = "--classifier", description = "Classifier ONNX file: input [N,C,H,W], output logits [N,K] (K=1: binary).")
    Path classifierFile;

    @Option(names = "--diffusion", description = "Diffusion UNet ONNX file: inputs (x in [-1,1], timesteps), output eps or [eps, v].")
    Path diffusionFile;

    @Option(names = "--image", required = true, arity = "1..*", description = "PNG or JPEG files to explain.")
    List<Path> images;

    @Option(names = "--target", required = true, split = ",",
            description = "Target class: one for all images, or one per image (comma-separated); 'opposite' for a binary classifier.")
    List<String> target;

    @Option(names = "--mean", split = ",", description = "Per-channel mean the classifier expects (after /255).")
    float[] mean;

    @Option(names = "--std", split = ",", description = "Per-channel std the classifier expects.")
    float[] std;

    @Option(names = "--timesteps", defaultValue = "500", description = "Diffusion T (default: ${DEFAULT-VALUE}).")
    int timesteps;

    @Option(names = "--respacing", defaultValue = "50", description = "Respacing, guided-diffusion form (default: ${DEFAULT-VALUE}).")
    String respacing;

    @Option(names = "--fraction", defaultValue = "0.1", description = "Filter depth tau as a fraction of the respaced steps (default: ${DEFAULT-VALUE}).")
    double fraction;

    @Option(names = "--dilation", description = "Mask dilation in pixels (default: 5 for the embedded models, 15 otherwise).")
    Integer dilation;

    @Option(names = "--threshold", defaultValue = "0.15", description = "Mask threshold (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--resize", description = "Resize images to the classifier's input size instead of failing.")
    boolean resize;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        Backends.logOnce();
        SameDiffClassifier classifier = classifierFile == null ? EmbeddedDefault.classifier() : onnxClassifier(classifierFile);
        ImageSpec spec = classifier.inputSpec();
        INDArray batch = readImages(spec);
        Targets targets = targets(classifier.numClasses());
        DiffusionModel diffusion = diffusionFile == null ? EmbeddedDefault.diffusionModel() : onnxDiffusion(diffusionFile, spec);
        boolean embedded = classifierFile == null && diffusionFile == null;
        run.useDefaults(embedded ? EmbeddedDefault.ATTACK_STEP : org.acejvm.attacks.AttackSettings.REFERENCE_STEP,
                RunOptions.DEFAULT_BATCH, embedded && fraction == EmbeddedDefault.FRACTION ? EmbeddedDefault.INPAINT_STEPS : null);
        MaskSettings mask = new MaskSettings(dilation != null ? dilation : embedded ? EmbeddedDefault.MASK.dilation()
                : MaskSettings.REFERENCE_DILATION, threshold);
        Explainer explainer = run.inpainting(Explainer.builder(classifier).attack(run.attack()).diffusion(diffusion, fraction)).mask(mask)
                .batchSize(run.batchSize).seed(run.seed).method("ACE-" + run.distance).build();
        long[] ids = new long[(int) batch.size(0)];
        Map<Long, INDArray> originals = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
            originals.put((long) i, batch.get(NDArrayIndex.point(i)).dup());
        }
        List<Explanation> results = ExplanationRun.run("ACE", explainer, batch, targets, ids, run.out, run.seed);
        List<String> names = classifierFile == null ? FashionMnist.CLASS_NAMES : classNames(classifier.numClasses());
        ReportWriter report = new ReportWriter(run.out, "ACE explanations", names).section("ACE", results, originals)
                .setting("images", images.toString()).setting("classifier", classifierFile == null ? "embedded" : classifierFile)
                .setting("diffusion", (diffusionFile == null ? "embedded" : diffusionFile) + ", T=" + timesteps + ", respacing "
                        + respacing + ", fraction " + fraction)
                .setting("attack", run.describeAttack())
                .setting("mask", "dilation " + mask.dilation() + ", threshold " + mask.threshold())
                .setting("seed", run.seed).setting("backend", Backends.describe());
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        Path html = report.write(elapsed);
        System.out.printf(Locale.ROOT, "flip rate: %.1f%% (%d/%d); report: %s, %s%n", 100 * ReportWriter.flipRate(results),
                results.stream().filter(Explanation::success).count(), results.size(), html, ReportWriter.formatDuration(elapsed));
        return 0;
    }

    private SameDiffClassifier onnxClassifier(Path file) {
        requireFile(file, "--classifier");
        OnnxModel net = OnnxModel.load(file).withNamespace("classifier");
        if (net.inputNames().size() != 1 || net.outputNames().isEmpty()) {
            throw new ModelFormatException(file + ": a classifier needs 1 input and logits as its first output, got inputs "
                    + net.inputNames() + " and outputs " + net.outputNames());
        }
        long[] in = net.inputShape(net.inputNames().get(0));
        long[] out = net.outputShape(net.outputNames().get(0));
        if (in.length != 4 || in[1] <= 0 || in[2] <= 0 || in[3] <= 0) {
            throw new ModelFormatException(file + ": expected a fixed input shape [N, C, H, W], got " + Arrays.toString(in));
        }
        if (out.length != 2 || out[1] <= 0) {
            throw new ModelFormatException(file + ": expected logits of shape [N, K], got " + Arrays.toString(out));
        }
        ImageSpec spec = new ImageSpec((int) in[1], (int) in[2], (int) in[3]);
        boolean single = out[1] == 1;
        Preprocessing pre = mean == null && std == null ? Preprocessing.none(spec.channels())
                : new Preprocessing(mean != null ? mean : new float[spec.channels()], std != null ? std : ones(spec.channels()), false);
        return new SameDiffClassifier(net, spec, single ? 2 : (int) out[1], single, pre);
    }

    private DiffusionModel onnxDiffusion(Path file, ImageSpec spec) {
        requireFile(file, "--diffusion");
        OnnxModel unet = OnnxModel.load(file).withNamespace("unet");
        if (unet.inputNames().size() != 2) {
            throw new ModelFormatException(file + ": a diffusion UNet needs 2 inputs (x, timesteps), got " + unet.inputNames());
        }
        long[] out = unet.outputShape(unet.outputNames().get(0));
        boolean learned = out.length == 4 && out[1] == 2L * spec.channels();
        DataType tType = unet.inputDataType(unet.inputNames().get(1));
        return DiffusionModel.builder(unet, spec)
                .schedule(NoiseSchedule.linear(timesteps), respacing)
                .variance(learned ? DiffusionModel.Variance.LEARNED_RANGE : DiffusionModel.Variance.FIXED_SMALL)
                .timestepType(tType.isIntType() ? tType : DataType.FLOAT)
                .build();
    }

    private INDArray readImages(ImageSpec spec) {
        List<INDArray> list = new ArrayList<>();
        for (Path p : images) {
            requireFile(p, "--image");
            INDArray x = Images.read(p, spec.channels());
            if (x.size(2) != spec.height() || x.size(3) != spec.width()) {
                if (!resize) {
                    throw new InvalidInputException.Shape(p + ": image is " + x.size(3) + "x" + x.size(2) + " pixels, the model takes "
                            + spec.width() + "x" + spec.height() + " (use --resize to resize)");
                }
                x = Images.resize(x, spec.height(), spec.width());
            }
            list.add(x);
        }
        return Nd4j.concat(0, list.toArray(INDArray[]::new));
    }

    private Targets targets(int numClasses) {
        if (target.size() == 1 && target.get(0).equalsIgnoreCase("opposite")) {
            if (numClasses != 2) throw new InvalidInputException.ClassIndex("--target opposite needs a binary classifier, this one has " + numClasses + " classes");
            return Targets.opposite();
        }
        if (target.size() != 1 && target.size() != images.size()) {
            throw new InvalidInputException.Mismatch("--target: give one class for all images or one per image; got "
                    + target.size() + " for " + images.size() + " images");
        }
        int[] t = new int[images.size()];
        for (int i = 0; i < t.length; i++) {
            String s = target.get(target.size() == 1 ? 0 : i).trim();
            try {
                t[i] = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new InvalidInputException.ClassIndex("--target: expected a class index or 'opposite', got '" + s + "'");
            }
            if (t[i] < 0 || t[i] >= numClasses) {
                throw new InvalidInputException.ClassIndex("--target " + t[i] + " is out of range: the classifier has classes 0.."
                        + (numClasses - 1));
            }
        }
        return Targets.classes(t);
    }

    private static void requireFile(Path p, String option) {
        if (!Files.isRegularFile(p)) throw new ModelFormatException(option + ": file not found: " + p);
        if (!Files.isReadable(p)) throw new ModelFormatException(option + ": file not readable: " + p);
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }

    private static List<String> classNames(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) names.add("class " + i);
        return names;
    }
}
