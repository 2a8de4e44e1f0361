package org.acejvm.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.Preprocessing;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.onnx.OnnxModel;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.NoiseSchedule;
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
        org.nd4j.linalg.api.buffer.DataType tType = unet.inputDataType(unet.inputNames().get(1));
        return DiffusionModel.builder(unet, spec)
                .schedule(NoiseSchedule.linear(timesteps), respacing)
                .variance(learned ? DiffusionModel.Variance.LEARNED_RANGE : DiffusionModel.Variance.FIXED_SMALL)
                .timestepType(tType.isIntType() ? tType : org.nd4j.linalg.api.buffer.DataType.FLOAT)
                .build();
    }

    static void requireFile(Path p, String option) {
        if (!Files.isRegularFile(p)) throw new ModelFormatException(option + ": file not found: " + p);
        if (!Files.isReadable(p)) throw new ModelFormatException(option + ": file not readable: " + p);
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }
}
