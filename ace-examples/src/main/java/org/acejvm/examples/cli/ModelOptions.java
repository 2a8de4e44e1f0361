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

    /** The class names for reports: Fashion-MNIST's with the embedded classifier, "class i" otherwise. */
    List<String> classNames(int n) {
        if (classifierFile == null) return FashionMnist.CLASS_NAMES;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) names.add("class " + i);
        return names;
    }

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
