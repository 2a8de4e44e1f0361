package org.acejvm.spark;

import org.acejvm.core.Classifier;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.metrics.FeatureExtractor;

/** The embedded default's models: they are inside the library's jar on every executor, so nothing is shipped. */
final class EmbeddedModels implements ModelBundle {
    private static final long serialVersionUID = 1L;

    @Override public String key() {
        return "embedded:" + EmbeddedDefault.classifierChecksum() + ":" + EmbeddedDefault.diffusionChecksum();
    }

    @Override public DifferentiableClassifier classifier() { return EmbeddedDefault.classifier(); }

    @Override public DiffusionModel diffusion(ImageSpec spec) {
        if (!spec.equals(FashionMnist.SPEC)) {
            throw new InvalidInputException.Shape("the embedded diffusion model takes " + FashionMnist.SPEC + " images, got " + spec);
        }
        return EmbeddedDefault.diffusionModel();
    }

    @Override public Classifier oracle() { return EmbeddedDefault.oracle(); }

    @Override public FeatureExtractor features(DifferentiableClassifier classifier) {
        return EmbeddedDefault.penultimateFeatures((SameDiffClassifier) classifier);
    }

    @Override public String toString() { return "the embedded Fashion-MNIST default"; }
}
