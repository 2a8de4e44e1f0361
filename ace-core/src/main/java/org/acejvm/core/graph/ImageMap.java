package org.acejvm.core.graph;

import java.util.Map;
import java.util.Optional;
import org.acejvm.core.NoiseSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A differentiable map from [0, 1] images to [0, 1] images placed between an attacked image and the classifier
 * (in ACE: the diffusion filter F_tau). It is added to a graph once and fed fresh values (usually noise) on every
 * call of that graph.
 *
 * <p>The method names and signatures are those of {@code org.acejvm.diffusion.DiffusionFilter}, so that interface
 * can extend this one without any other change.
 */
public interface ImageMap {

    /**
     * Adds the map to {@code sd}: NCHW [0, 1] images in, NCHW [0, 1] images of the same shape out. Any per-call
     * values the map needs are declared as placeholders named under {@code callName}.
     */
    SDVariable apply(SameDiff sd, String callName, SDVariable images);

    /**
     * Values of the placeholders that {@link #apply} declared under {@code callName}, for one evaluation of the graph
     * (one attack iteration, {@code callIndex}) on the samples {@code sampleIds}. Noise must be drawn per sample from
     * {@code noise}, so that a sample's values do not depend on the rest of its batch.
     */
    Map<String, INDArray> noiseFeed(String callName, long[] sampleIds, long callIndex, NoiseSource noise);

    /**
     * Present when this map computes its own vector-Jacobian product outside the caller's graph (for example a
     * diffusion filter that recomputes each step during the backward pass to save memory). A caller that finds it
     * runs the map eagerly and chains the gradients itself instead of adding the map to its graph. Default: absent.
     */
    default Optional<SeparateGradient> separateGradient() { return Optional.empty(); }

    /** The eager forward and backward of a map that differentiates itself; see {@link #separateGradient()}. */
    interface SeparateGradient {
        /**
         * The forward pass on [0, 1] images with the values of {@link ImageMap#noiseFeed} for {@code callName}; the returned
         * pass holds what its backward needs.
         */
        Pass forward(INDArray images, Map<String, INDArray> feed, String callName);

        /** One forward pass of a map and its backward. */
        interface Pass {
            /** The map's output, the shape of the images. */
            INDArray output();

            /** The gradient of {@code sum(output * upstream)} with respect to the images. */
            INDArray backward(INDArray upstream);
        }
    }

    /** The identity map: the classifier sees the attacked image itself. */
    static ImageMap identity() { return Identity.INSTANCE; }

    /** True for {@link #identity()}. */
    default boolean isIdentity() { return false; }

    /** The identity map (a singleton). */
    final class Identity implements ImageMap {
        static final Identity INSTANCE = new Identity();

        private Identity() {}

        @Override public SDVariable apply(SameDiff sd, String callName, SDVariable images) { return images; }

        @Override
        public Map<String, INDArray> noiseFeed(String callName, long[] sampleIds, long callIndex, NoiseSource noise) {
            return Map.of();
        }

        @Override public boolean isIdentity() { return true; }

        @Override public String toString() { return "ImageMap.identity()"; }
    }
}
