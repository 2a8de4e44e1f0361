package org.acejvm.diffusion;

import java.io.File;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.core.graph.Weights;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny hand-built eps model mirrored by scripts/make_filter_reference.py (TinyEps):
 * conv3x3 -> h * (1 + a * sin(t * f)) -> SiLU -> conv3x3. Weights are the committed OIHW .npy files, permuted to YXIO.
 */
final class TinyEpsModel implements GraphFunction {
    private final Weights weights;
    private final boolean twoOutputs;
    private final int channels;

    private TinyEpsModel(Weights weights, boolean twoOutputs, int channels) {
        this.weights = weights;
        this.twoOutputs = twoOutputs;
        this.channels = channels;
    }

    /**
     * @param outChannels how many of w2's output channels to keep (2C for learned range, C for eps only)
     * @param twoOutputs  return [eps, v] as two outputs instead of one 2C-channel output
     */
    static TinyEpsModel load(String dir, int outChannels, boolean twoOutputs) {
        Map<String, INDArray> w = new HashMap<>();
        for (String n : List.of("w1", "b1", "a", "f", "w2", "b2")) w.put(n, npy(dir + "/" + n + ".npy"));
        INDArray w2 = w.get("w2");
        INDArray b2 = w.get("b2");
        w.put("w2", w2.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, outChannels)).dup());
        w.put("b2", b2.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, outChannels)).dup());
        w.put("w1", w.get("w1").permute(2, 3, 1, 0).dup());
        w.put("w2", w.get("w2").permute(2, 3, 1, 0).dup());
        long hidden = w.get("a").length();
        w.put("a", w.get("a").reshape(1, hidden));
        w.put("f", w.get("f").reshape(1, hidden));
        int c = (int) w.get("w1").size(2);
        return new TinyEpsModel(Weights.frozen("tiny_eps", w), twoOutputs, c);
    }

    static INDArray npy(String resource) {
        try {
            File f = new File(TinyEpsModel.class.getResource(resource).toURI());
            return Nd4j.createFromNpyFile(f);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + resource, e);
        }
    }

    @Override
    public SDVariable[] call(SameDiff sd, String callName, SDVariable... inputs) {
        SDVariable x = inputs[0];
        SDVariable t = inputs[1];
        Conv2DConfig conv = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        SDVariable h = sd.cnn().conv2d(callName + "_c1", x, weights.get(sd, "w1"), weights.get(sd, "b1"), conv);
        SDVariable tf = sd.expandDims(t, 1).mul(weights.get(sd, "f")); // [N, hidden]
        SDVariable s = sd.math.sin(tf).mul(weights.get(sd, "a")).add(1.0);
        SDVariable s4 = sd.expandDims(sd.expandDims(s, 2), 3);
        h = h.mul(s4);
        h = h.mul(sd.nn.sigmoid(h));
        SDVariable out = sd.cnn().conv2d(callName + "_c2", h, weights.get(sd, "w2"), weights.get(sd, "b2"), conv);
        if (!twoOutputs) return new SDVariable[] {out};
        SDVariable eps = out.get(SDIndex.all(), SDIndex.interval(0, channels), SDIndex.all(), SDIndex.all());
        SDVariable v = out.get(SDIndex.all(), SDIndex.interval(channels, 2 * channels), SDIndex.all(), SDIndex.all());
        return new SDVariable[] {eps, v};
    }

    @Override public List<String> inputNames() { return List.of("x", "t"); }
    @Override public List<String> outputNames() { return twoOutputs ? List.of("eps", "v") : List.of("out"); }
}
