package org.acejvm.core;

import java.util.List;
import java.util.Map;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.core.graph.Weights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small networks with hand-computable outputs, shared with the tests of other modules (test-jar). */
public final class TinyNetworks {
    private TinyNetworks() {}

    /** logits = relu(flatten(x)) @ W^T + b, for inputs [N, C, H, W] with C*H*W = W.columns. */
    public static GraphFunction reluLinear(String name, float[][] w, float[] b) {
        int out = w.length, in = w[0].length;
        float[][] wt = new float[in][out];
        for (int i = 0; i < out; i++) for (int j = 0; j < in; j++) wt[j][i] = w[i][j];
        Weights weights = Weights.frozen(name, Map.of(
                "wt", Nd4j.create(wt).castTo(DataType.FLOAT),
                "b", Nd4j.create(b, new long[] {1, out}, DataType.FLOAT)));
        return new GraphFunction() {
            @Override
            public SDVariable[] call(SameDiff sd, String callName, SDVariable... inputs) {
                SDVariable flat = inputs[0].reshape(-1, in);
                SDVariable h = sd.nn().relu(flat, 0.0);
                SDVariable logits = h.mmul(weights.get(sd, "wt")).add(callName + "_logits", weights.get(sd, "b"));
                return new SDVariable[] {logits};
            }
            @Override public List<String> inputNames() { return List.of("x"); }
            @Override public List<String> outputNames() { return List.of("logits"); }
        };
    }

    /** The 3-class network of SameDiffClassifierTest: 1x2x2 inputs. */
    public static GraphFunction threeClass() {
        return reluLinear("tiny3", new float[][] {{1, 2, 3, 4}, {-1, 0, 1, 0}, {0.5f, 0.5f, 0.5f, 0.5f}},
                new float[] {0.1f, -0.2f, 0.3f});
    }

    public static INDArray images(float[]... perImage) {
        INDArray x = Nd4j.create(DataType.FLOAT, perImage.length, perImage[0].length);
        for (int i = 0; i < perImage.length; i++) x.putRow(i, Nd4j.create(perImage[i]));
        return x;
    }
}
