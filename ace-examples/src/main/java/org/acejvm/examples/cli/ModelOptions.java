package org.acejvm.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.onnx.OnnxModel;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import picocli.CommandLine.Option;

/** The user's ONNX classifier and diffusion UNet (or the embedded ones), for the commands that take own models. */
final class ModelOptions {
    @Option(names = "--classifier", description = "Classifier ONNX file: input [N,C,H,W], output logits [N,K] (K=1: binary).")
    Path classifierFile;

    @Option(names = "--diffusion", description = "Diffusion UNet ONNX file: inputs (x in [-1,1], timesteps), output eps or [eps, v].")
    Path diffusionFile;

    @Option(names = "--mean", split = ",", description = "Per-channel mean the classifier expects (after /255).")
    float[] mean;

    @Option(names = "--std", split = ",", description = "Per-channel std the classifier expects.")
    float[] std;

    /** Default T and respacing of a --diffusion model. */
    static final int DEFAULT_TIMESTEPS = 500;
    static final String DEFAULT_RESPACING = "50";

    @Option(names = "--timesteps", description = "Diffusion T of a --diffusion model (default: " + DEFAULT_TIMESTEPS
            + "; the embedded model's schedule is fixed).")
    Integer timestepsOption;

    @Option(names = "--respacing", description = "Respacing of a --diffusion model, guided-diffusion form (default: "
            + DEFAULT_RESPACING + "; the embedded model's schedule is fixed).")
    String respacingOption;

    /** The diffusion T in use: the embedded model's, or --timesteps (default 500) with --diffusion. */
    int timesteps() {
        return diffusionFile == null ? EmbeddedDefault.TIMESTEPS : timestepsOption != null ? timestepsOption : DEFAULT_TIMESTEPS;
    }

    /** The respacing in use: the embedded model's, or --respacing (default 50) with --diffusion. */
    String respacing() {
        return diffusionFile == null ? EmbeddedDefault.RESPACING : respacingOption != null ? respacingOption : DEFAULT_RESPACING;
    }

    @Option(names = "--labels", description = "Class names of --classifier, one per line in class order (for --target and reports).")
    Path labelsFile;

    /** Whether both models are the embedded ones. */
    boolean embedded() { return classifierFile == null && diffusionFile == null; }

    SameDiffClassifier classifier() {
        return classifierFile == null ? EmbeddedDefault.classifier() : onnxClassifier(classifierFile);
    }

    DiffusionModel diffusion(ImageSpec spec) {
        if (diffusionFile == null && (timestepsOption != null || respacingOption != null)) {
            // the embedded model was trained with its own schedule: other values would be ignored, yet recorded
            throw new InvalidInputException((timestepsOption != null ? "--timesteps" : "--respacing")
                    + " applies to a --diffusion model; the embedded diffusion model's schedule is fixed (T="
                    + EmbeddedDefault.TIMESTEPS + ", respacing " + EmbeddedDefault.RESPACING + ")");
        }
        return diffusionFile == null ? EmbeddedDefault.diffusionModel() : onnxDiffusion(diffusionFile, spec);
    }

    /** The class names: --labels, Fashion-MNIST's with the embedded classifier, else "class i". */
    List<String> classNames(int n) {
        if (labelsFile != null) {
            requireFile(labelsFile, "--labels");
            List<String> names;
            try {
                names = Files.readAllLines(labelsFile).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
            } catch (java.io.IOException e) {
                throw new ModelFormatException("--labels: cannot read " + labelsFile + ": " + e.getMessage());
            }
            if (names.size() != n) {
                throw new InvalidInputException.Mismatch("--labels: " + labelsFile + " names " + names.size()
                        + " classes, the classifier has " + n);
            }
            return names;
        }
        if (classifierFile == null) return FashionMnist.CLASS_NAMES;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) names.add("class " + i);
        return names;
    }

    /**
     * A class given on the command line: its index, or its name (case and punctuation ignored: "sandal", "T-shirt/top"
     * and "tshirttop" all work with the embedded classifier).
     */
    int classIndex(String given, int n, String option) {
        String s = given.strip();
        if (s.matches("-?\\d+")) {
            int c = Integer.parseInt(s);
            if (c < 0 || c >= n) {
                throw new InvalidInputException.ClassIndex(option + " " + c + " is out of range: the classifier has classes 0.." + (n - 1));
            }
            return c;
        }
        List<String> names = classNames(n);
        for (int c = 0; c < n; c++) if (key(names.get(c)).equals(key(s)) && !key(s).isEmpty()) return c;
        throw new InvalidInputException.ClassIndex(option + ": expected a class index 0.." + (n - 1) + " or a class name ("
                + String.join(", ", names) + "), got '" + s + "'");
    }

    private static String key(String name) { return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]", ""); }

    String describeClassifier() { return classifierFile == null ? "embedded" : classifierFile.toString(); }

    String describeDiffusion() {
        return (diffusionFile == null ? "embedded" : diffusionFile) + ", T=" + timesteps() + ", respacing " + respacing();
    }

    private SameDiffClassifier onnxClassifier(Path file) {
        requireFile(file, "--classifier");
        return SameDiffClassifier.fromOnnx(OnnxModel.load(file).withNamespace("classifier"), mean, std);
    }

    private DiffusionModel onnxDiffusion(Path file, ImageSpec spec) {
        requireFile(file, "--diffusion");
        return DiffusionModel.fromOnnx(OnnxModel.load(file).withNamespace("unet"), spec, timesteps(), respacing());
    }

    static void requireFile(Path p, String option) {
        if (!Files.isRegularFile(p)) throw new ModelFormatException(option + ": file not found: " + p);
        if (!Files.isReadable(p)) throw new ModelFormatException(option + ": file not readable: " + p);
    }
}
