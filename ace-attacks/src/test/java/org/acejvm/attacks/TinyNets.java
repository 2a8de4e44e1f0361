package org.acejvm.attacks;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.Preprocessing;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.core.graph.ImageMap;
import org.acejvm.core.graph.Weights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/** Tiny hand-built classifiers and image maps whose gradients can be computed by hand (test fixtures). */
public final class TinyNets {
    public static final ImageSpec SPEC = new ImageSpec(1, 8, 8);
    public static final int D = 64;

    private TinyNets() {}

    /** logits = flatten(x) W + b, W [64, k] (k = 1: a single-logit binary classifier). */
    public static SameDiffClassifier linear(int k, long seed) {
        return linear(randomMatrix(D, k, seed, 0.5), randomMatrix(1, k, seed + 1, 0.1), k == 1);
    }

    public static SameDiffClassifier linear(INDArray w, INDArray b, boolean singleLogit) {
        int k = (int) w.size(1);
        Weights weights = Weights.frozen("linear", Map.of("w", w, "b", b));
        GraphFunction fn = new GraphFunction() {
            @Override
            public SDVariable[] call(SameDiff sd, String callName, SDVariable... in) {
                SDVariable flat = in[0].reshape(-1, w.size(0));
                return new SDVariable[] {flat.mmul(weights.get(sd, "w")).add(weights.get(sd, "b"))};
            }
            @Override public List<String> inputNames() { return List.of("images"); }
            @Override public List<String> outputNames() { return List.of("logits"); }
        };
        return new SameDiffClassifier(fn, SPEC, singleLogit ? 2 : k, singleLogit, Preprocessing.none(1));
    }

    /** One 3x3 conv (2 channels, SAME) + ReLU + dense to k logits, on 1x8x8 images. */
    public static SameDiffClassifier convDense(int k, long seed) {
        INDArray cw = randomMatrix(9 * 2, 1, seed, 0.6).reshape(3, 3, 1, 2); // YXIO
        INDArray cb = Nd4j.create(new float[] {0.05f, -0.05f}, new long[] {2}, DataType.FLOAT);
        INDArray dw = randomMatrix(2 * D, k, seed + 2, 0.3);
        INDArray db = randomMatrix(1, k, seed + 3, 0.1);
        Weights weights = Weights.frozen("convdense", Map.of("cw", cw, "cb", cb, "dw", dw, "db", db));
        Conv2DConfig cfg = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.SAME).dataFormat("NCHW").build();
        GraphFunction fn = new GraphFunction() {
            @Override
            public SDVariable[] call(SameDiff sd, String callName, SDVariable... in) {
                SDVariable c = sd.cnn.conv2d(in[0], weights.get(sd, "cw"), weights.get(sd, "cb"), cfg);
                SDVariable h = sd.nn.relu(c, 0.0).reshape(-1, 2 * D);
                return new SDVariable[] {h.mmul(weights.get(sd, "dw")).add(weights.get(sd, "db"))};
            }
            @Override public List<String> inputNames() { return List.of("images"); }
            @Override public List<String> outputNames() { return List.of("logits"); }
        };
        return new SameDiffClassifier(fn, SPEC, k == 1 ? 2 : k, k == 1, Preprocessing.none(1));
    }

    public static INDArray randomMatrix(int rows, int cols, long seed, double scale) {
        Random r = new Random(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * scale);
        return Nd4j.create(v, new long[] {rows, cols}, DataType.FLOAT);
    }

    /** n images with values uniform in [lo, hi]. */
    public static INDArray images(int n, long seed, double lo, double hi) {
        Random r = new Random(seed);
        float[] v = new float[n * D];
        for (int i = 0; i < v.length; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return Nd4j.create(v, new long[] {n, 1, 8, 8}, DataType.FLOAT);
    }

    /**
     * A stochastic image map {@code x + sigma * noise} with fresh per-sample noise at every call (a stand-in for the
     * diffusion filter); the noise is a placeholder named under the call name.
     */
    public static ImageMap noisyMap(double sigma) {
        return new ImageMap() {
            @Override
            public SDVariable apply(SameDiff sd, String callName, SDVariable images) {
                SDVariable noise = sd.placeHolder(callName + "/noise", DataType.FLOAT, -1, 1, 8, 8);
                return images.add(noise.mul(sigma));
            }

            @Override
            public Map<String, INDArray> noiseFeed(String callName, long[] sampleIds, long callIndex, NoiseSource noise) {
                return Map.of(callName + "/noise", noise.gaussian(sampleIds, NoiseSource.stream(7, callIndex), 1, 8, 8));
            }
        };
    }
}
