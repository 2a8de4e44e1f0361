package org.acejvm.attacks;

import org.acejvm.core.Checks;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.graph.GraphFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The variable an attack searches over and how it becomes the attacked image x'. Pixel-space attacks search x'
 * directly, C&amp;W searches w with {@code x' = (tanh(w) + 1) / 2}, latent-space attacks search a generator's code z
 * with {@code x' = decoder(z)}. The attack loop sees only this interface, so one loop serves all three.
 */
public interface SearchSpace {

    /** The shape of one sample's search value (no batch dimension) for classifier inputs of {@code image}. */
    long[] sampleShape(ImageSpec image);

    /** The starting value of the search variable [N, sampleShape...] for original images {@code images}. */
    INDArray start(INDArray images);

    /**
     * {@link #start(INDArray)} for the samples {@code sampleIds}; a space whose start is supplied per sample (given
     * latent codes) reads the ids.
     */
    default INDArray start(INDArray images, long[] sampleIds) { return start(images); }

    /** The differentiable graph ops that turn the search variable into the attacked image (NCHW, [0, 1]). */
    SDVariable toImage(SameDiff sd, SDVariable search);

    /** The attacked image of a search value (outside a graph). */
    INDArray toImage(INDArray search);

    /**
     * Applied after every step: projection, clamping. {@code images} are the originals of the rows of
     * {@code search}, which may have any shape.
     */
    INDArray constrain(INDArray search, INDArray images, AttackSettings settings);

    /** Whether {@link AttackSettings#epsilon()} bounds this space. */
    boolean usesEpsilon();

    /** x' itself: after each step, project onto the epsilon ball around x (L-inf or L2) and clamp to [0, 1]. */
    static SearchSpace pixels() { return Pixels.INSTANCE; }

    /**
     * The C&amp;W change of variables {@code x' = (tanh(w) + 1) / 2}, starting at {@code w = atanh((2x - 1)(1 - shrink))}
     * (the shrink keeps pixels at 0 or 1 finite) and clamping w to [-limit, limit] after each step (the reference
     * uses limit 3, i.e. x' in [0.0025, 0.9975], to avoid vanishing gradients). No epsilon ball.
     */
    static SearchSpace tanh(double shrink, double limit) { return new Tanh(shrink, limit); }

    /**
     * A generator's code z of per-sample shape {@code codeShape}, decoded by {@code decoder} (codes in, [0, 1] NCHW
     * images of the classifier's shape out) and started from {@code starts}; unclamped (see
     * {@link LatentSpace#clamped(double, double)}). No epsilon ball.
     */
    static LatentSpace latent(GraphFunction decoder, long[] codeShape, StartCodes starts) {
        return new LatentSpace(decoder, codeShape, starts, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /** [C, H, W] of {@code image}: the per-sample shape of spaces that search the image itself or a map of it. */
    private static long[] imageShape(ImageSpec image) { return new long[] {image.channels(), image.height(), image.width()}; }

    /** Projection onto the epsilon ball around {@code x} and clamping to [0, 1], in place on {@code s}. */
    static void project(float[] s, float[] x, int n, double epsilon, Norm norm) {
        int per = s.length / n;
        if (norm == Norm.LINF) {
            float eps = (float) epsilon;
            for (int i = 0; i < s.length; i++) {
                float v = Math.max(x[i] - eps, Math.min(x[i] + eps, s[i]));
                s[i] = Math.max(0f, Math.min(1f, v));
            }
            return;
        }
        for (int b = 0; b < n; b++) {
            int o = b * per;
            double sq = 0;
            for (int j = 0; j < per; j++) {
                double d = s[o + j] - x[o + j];
                sq += d * d;
            }
            double norm2 = Math.sqrt(sq);
            boolean outside = norm2 > epsilon;
            float scale = outside ? (float) (epsilon / norm2) : 1f;
            for (int j = 0; j < per; j++) {
                float v = outside ? (s[o + j] - x[o + j]) * scale + x[o + j] : s[o + j];
                s[o + j] = Math.max(0f, Math.min(1f, v));
            }
        }
    }

    /** See {@link SearchSpace#pixels()}. */
    final class Pixels implements SearchSpace {
        static final Pixels INSTANCE = new Pixels();

        private Pixels() {}

        @Override public long[] sampleShape(ImageSpec image) { return imageShape(image); }

        @Override public INDArray start(INDArray images) { return images.dup(); }

        @Override public SDVariable toImage(SameDiff sd, SDVariable search) { return search; }

        @Override public INDArray toImage(INDArray search) { return search.dup(); }

        @Override
        public INDArray constrain(INDArray search, INDArray images, AttackSettings settings) {
            float[] s = Floats.of(search);
            project(s, Floats.of(images), (int) search.size(0), settings.epsilon(), settings.norm());
            return Floats.create(s, search.shape());
        }

        @Override public boolean usesEpsilon() { return true; }

        @Override public String toString() { return "SearchSpace.pixels()"; }
    }

    /** See {@link SearchSpace#tanh(double, double)}. */
    record Tanh(double shrink, double limit) implements SearchSpace {
        public Tanh {
            if (!(shrink > 0 && shrink < 1)) throw new InvalidInputException.Range("shrink: expected a value in (0, 1), got " + shrink);
            Checks.positive(limit, "limit");
        }

        @Override public long[] sampleShape(ImageSpec image) { return imageShape(image); }

        @Override
        public INDArray start(INDArray images) {
            float[] x = Floats.of(images);
            float[] w = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                double v = (2.0 * x[i] - 1.0) * (1.0 - shrink);
                w[i] = (float) (0.5 * Math.log((1 + v) / (1 - v)));
            }
            return Floats.create(w, images.shape());
        }

        @Override
        public SDVariable toImage(SameDiff sd, SDVariable search) {
            return sd.math.tanh(search).add(1.0).mul(0.5);
        }

        @Override
        public INDArray toImage(INDArray search) {
            float[] w = Floats.of(search);
            for (int i = 0; i < w.length; i++) w[i] = (float) ((Math.tanh(w[i]) + 1.0) * 0.5);
            return Floats.create(w, search.shape());
        }

        @Override
        public INDArray constrain(INDArray search, INDArray images, AttackSettings settings) {
            float[] w = Floats.of(search);
            float lim = (float) limit;
            for (int i = 0; i < w.length; i++) w[i] = Math.max(-lim, Math.min(lim, w[i]));
            return Floats.create(w, search.shape());
        }

        @Override public boolean usesEpsilon() { return false; }
    }
}
