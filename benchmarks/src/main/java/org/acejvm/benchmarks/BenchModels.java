package org.acejvm.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.acejvm.attacks.AttackSession;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.Targets;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.Preprocessing;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.graph.DifferentiableGraph;
import org.acejvm.core.onnx.OnnxModel;
import org.acejvm.diffusion.DdpmFilter;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.ImageRange;
import org.acejvm.diffusion.Inpainter;
import org.acejvm.diffusion.NoiseSchedule;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.MaskSettings;
import org.acejvm.refine.Refiner;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The models and inputs of the benchmark workloads, shared by the JMH suite ({@link AceBenchmarks}), the agreement
 * dump for the PyTorch comparison ({@link Agreement}) and the memory probe ({@link MemoryProbe}).
 *
 * <ul>
 *   <li>{@code fmnist}: the shipped Fashion-MNIST UNet (1x32x32) and CNN classifier ({@link EmbeddedDefault}),
 *       mask dilation 5;</li>
 *   <li>{@code celeba}: the CelebA UNet structure at base width 24 (3x128x128, ace-core's test fixture
 *       {@code onnx/unet_celeba/model.onnx}, read from the repository) and a seeded 4-conv CNN with 2 logits
 *       ({@code bench/celeba_cnn.onnx}, made by {@code scripts/bench_models.py make-cnn}), reference mask.</li>
 * </ul>
 * Both: T = 500 linear, respacing 50, fraction 0.1 (S = 5), learned-range variance, stochastic filter.
 * Inputs are uniform [0, 1] images from a fixed seed; the pre-explanation of the refinement is the input with a
 * bright square in the middle (a non-trivial mask).
 */
public final class BenchModels {
    public static final String CELEBA_UNET = "ace-core/src/test/resources/onnx/unet_celeba/model.onnx";
    /** The target class of the attack (exists for both classifiers). */
    public static final int TARGET = 1;
    /** Respaced index of the single-UNet workload: the first (noisiest) step of F_tau, k = S - 1 = 4 (t = 41). */
    public static final int UNET_STEP = 4;
    /**
     * The filter depth of every workload: 0.1 (S = 5), the reference preset's, as in scripts/bench_compare.py (the
     * embedded default explains with 0.2 since; the workloads stay comparable with earlier records).
     */
    public static final double FRACTION = 0.1;

    public final String name;
    public final int batch;
    public final SameDiffClassifier classifier;
    public final DiffusionModel model;
    public final DdpmFilter filter;
    public final MaskSettings mask;
    public final INDArray images;
    public final INDArray preExplanation;
    public final long[] ids;
    public final NoiseSource noise = NoiseSource.seeded(1);

    private BenchModels(String name, int batch) {
        this.name = name;
        this.batch = batch;
        switch (name) {
            case "fmnist" -> {
                classifier = EmbeddedDefault.classifier();
                model = EmbeddedDefault.diffusionModel();
                mask = EmbeddedDefault.MASK;
            }
            case "celeba" -> {
                ImageSpec spec = new ImageSpec(3, 128, 128);
                OnnxModel unet = OnnxModel.load(repoFile(CELEBA_UNET)).withNamespace("unet");
                model = DiffusionModel.builder(unet, spec)
                        .schedule(NoiseSchedule.linear(EmbeddedDefault.TIMESTEPS), EmbeddedDefault.RESPACING)
                        .variance(DiffusionModel.Variance.LEARNED_RANGE)
                        .timestepType(DataType.FLOAT)
                        .build();
                OnnxModel net = OnnxModel.load(resourceFile("/bench/celeba_cnn.onnx")).withNamespace("classifier");
                classifier = new SameDiffClassifier(net, spec, 2, false, Preprocessing.none(3));
                mask = MaskSettings.reference();
            }
            default -> throw new IllegalArgumentException("model: fmnist or celeba, got " + name);
        }
        filter = DdpmFilter.ofFraction(model, FRACTION, true);
        ImageSpec s = classifier.inputSpec();
        Nd4j.getRandom().setSeed(42);
        images = Nd4j.rand(DataType.FLOAT, batch, s.channels(), s.height(), s.width());
        preExplanation = images.dup();
        long h = s.height(), w = s.width();
        preExplanation.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(h * 3 / 8, h * 5 / 8),
                NDArrayIndex.interval(w * 3 / 8, w * 5 / 8)).assign(1.0);
        ids = new long[batch];
        for (int i = 0; i < batch; i++) ids[i] = i;
    }

    public static BenchModels of(String name, int batch) { return new BenchModels(name, batch); }

    // ------------------------------------------------------------------------------------------- workloads

    /** One UNet call as a forward-only graph: x [N, C, H, W] in [-1, 1] and the original timestep of step k. */
    public final class UnetForward {
        private final DifferentiableGraph graph;
        private final String out;
        private final Map<String, INDArray> feed = new HashMap<>();
        private final INDArray x;

        UnetForward() {
            SameDiff sd = SameDiff.create();
            SDVariable xin = DifferentiableGraph.inputVariable(sd, "x", model.imageSpec());
            SDVariable t = sd.placeHolder("t", model.timestepType(), -1);
            SDVariable o = model.unet().call(sd, "unet", xin, t)[0];
            out = o.name();
            graph = new DifferentiableGraph(sd, xin, o.sum("loss"));
            feed.put("t", Nd4j.valueArrayOf(new long[] {batch}, model.modelTimestepValue(UNET_STEP), model.timestepType()));
            x = ImageRange.toModel(images);
        }

        public INDArray run() { return graph.forward(x, feed, out).get(out); }

        public INDArray input() { return x; }

        public INDArray timesteps() { return feed.get("t"); }
    }

    public UnetForward unetForward() { return new UnetForward(); }

    /** F_tau forward (S = 5), the noise of call 0. */
    public INDArray filterForward() { return filter.filter(images, ids, 0, noise); }

    /** An attack session of one PGD iteration (defaults otherwise: step 1/255, eps 1, lambda1 0.001). */
    public AttackSession attackSession() {
        return Attacks.pgd(AttackSettings.builder().iterations(1).build()).prepare(classifier, filter);
    }

    /** One attack step: initial prediction, one forward+backward of the objective, the PGD step, final prediction. */
    public INDArray attackStep(AttackSession s) {
        return s.run(images, targets(), ids, noise, null).adversarial();
    }

    /** The ACE refinement: mask from (images, pre-explanation), then diffusion inpainting with S = 5. */
    public Refiner refiner() { return Refiner.inpainting(Inpainter.ofFraction(model, FRACTION), mask); }

    public INDArray refine(Refiner r) { return r.refine(images, preExplanation, ids, noise).explanation(); }

    /** The whole explanation with the default settings: PGD 50 iterations through F_tau, mask, inpainting. */
    public Explainer explainer() {
        return Explainer.builder(classifier).mask(mask).diffusion(model, FRACTION).batchSize(batch)
                .seed(1).build();
    }

    public Object explain(Explainer e) { return e.explain(images, targets(), ids); }

    /** Class TARGET for every image, also where the classifier predicts it already (the seeded celeba CNN does). */
    private static Targets targets() { return Targets.of(TARGET).allowingSource(); }

    // ------------------------------------------------------------------------------------------- files

    /** A file of the repository, found from the working directory or its parents (benchmarks/ runs from there). */
    static Path repoFile(String relative) {
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path p = d.resolve(relative);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IllegalStateException(relative + " not found from " + dir + " or its parents (run from the repository)");
    }

    static Path resourceFile(String resource) {
        try (InputStream in = BenchModels.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            Path tmp = Files.createTempFile("bench", ".onnx");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
