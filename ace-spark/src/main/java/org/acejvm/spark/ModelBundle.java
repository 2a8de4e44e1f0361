package org.acejvm.spark;

import java.io.Serializable;
import org.acejvm.core.Classifier;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.ImageSpec;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.metrics.FeatureExtractor;

/**
 * The models of a cluster run as something that ships to the executors: serialisable (the model files travel inside
 * it as bytes, sent once per executor by a Spark broadcast) and able to build the loaded models there. Each executor
 * thread builds its own models once and reuses them across partitions (the library's rule: one explainer per thread).
 */
public interface ModelBundle extends Serializable {
    /** Identifies the models: two bundles with the same key build the same models (it keys the executors' cache). */
    String key();

    /** The classifier to explain. */
    DifferentiableClassifier classifier();

    /** The diffusion model for images of {@code spec}, or null for a bundle without one (plain attacks only). */
    DiffusionModel diffusion(ImageSpec spec);

    /** An independently trained classifier for oracle agreement, or null when the bundle has none. */
    default Classifier oracle() { return null; }

    /** The feature network of FID and sFID on {@code classifier}, or null when the bundle has none. */
    default FeatureExtractor features(DifferentiableClassifier classifier) { return null; }

    /** The embedded Fashion-MNIST default (classifier, diffusion model, oracle, the classifier's penultimate features). */
    static ModelBundle embeddedDefault() { return new EmbeddedModels(); }

    /**
     * ONNX models held as bytes (see {@link OnnxModels}).
     *
     * @param classifier ONNX bytes of the classifier: input [N, C, H, W], logits [N, K]
     * @param diffusion  ONNX bytes of the diffusion UNet (x in [-1, 1], timesteps), or null
     */
    static OnnxModels onnx(byte[] classifier, byte[] diffusion) { return OnnxModels.of(classifier, diffusion); }
}
