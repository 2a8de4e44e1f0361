package org.acejvm.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.ImageSpec;
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

    @Option(names = "--timesteps", defaultValue = "500", description = "Diffusion T (default: ${DEFAULT-VALUE}).")
    int timesteps;

    @Option(names = "--respacing", defaultValue = "50", description = "Respacing, guided-diffusion form (default: ${DEFAULT-VALUE}).")
    String respacing;

    /** Whether both models are the embedded ones. */
    boolean embedded() { return classifierFile == null && diffusionFile == null; }

    SameDiffClassifier classifier() {
        return classifierFile == null ? EmbeddedDefault.classifier() : onnxClassifier(classifierFile);
    }

    DiffusionModel diffusion(ImageSpec spec) {
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
        return (diffusionFile == null ? "embedded" : diffusionFile) + ", T=" + timesteps + ", respacing " + respacing;
    }

    private SameDiffClassifier onnxClassifier(Path file) {
        requireFile(file, "--classifier");
        return SameDiffClassifier.fromOnnx(OnnxModel.load(file).withNamespace("classifier"), mean, std);
    }

    private DiffusionModel onnxDiffusion(Path file, ImageSpec spec) {
        requireFile(file, "--diffusion");
        return DiffusionModel.fromOnnx(OnnxModel.load(file).withNamespace("unet"), spec, timesteps, respacing);
    }

    static void requireFile(Path p, String option) {
        if (!Files.isRegularFile(p)) throw new ModelFormatException(option + ": file not found: " + p);
        if (!Files.isReadable(p)) throw new ModelFormatException(option + ": file not readable: " + p);
    }
}
