package org.acejvm.attacks;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.Preprocessing;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.core.graph.Weights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A latent-space fixture whose gradients are closed forms: a 16-value code, a linear decoder
 * {@code x = 0.5 + z Wd} to 1x4x4 images (|Wd| <= 0.03, so codes in [-1, 1] decode into [0.02, 0.98]) and a linear
 * classifier {@code logits = flatten(x) V + c} on those images, with c centring the grey image.
 */
final class TinyLatent {
    static final ImageSpec SPEC = new ImageSpec(1, 4, 4);
    static final int CODE = 16;
    static final int PIXELS = 16;

    final double[][] wd = new double[CODE][PIXELS];
    final double[][] v;
    final double[] c;
    final GraphFunction decoder;
    final SameDiffClassifier classifier;

    TinyLatent(int classes, long seed) {
        Random r = new Random(seed);
        for (double[] row : wd) for (int j = 0; j < PIXELS; j++) row[j] = (float) (0.06 * r.nextDouble() - 0.03);
        v = new double[PIXELS][classes];
        for (double[] row : v) for (int k = 0; k < classes; k++) row[k] = (float) (3 * r.nextGaussian());
        c = new double[classes];
        for (int k = 0; k < classes; k++) {
            double colSum = 0;
            for (double[] row : v) colSum += row[k];
            c[k] = (float) (0.1 * r.nextGaussian() - 0.5 * colSum); // centred: the code alone decides the class
        }
        INDArray wdArr = matrix(wd);
        INDArray vArr = matrix(v);
        INDArray cArr = matrix(new double[][] {c});
        Weights dw = Weights.frozen("decoder", Map.of("w", wdArr));
        decoder = function("codes", "images", (sd, in) ->
                in.mmul(dw.get(sd, "w")).add(0.5).reshape(-1, 1, 4, 4));
        Weights cw = Weights.frozen("classifier", Map.of("v", vArr, "c", cArr));
        GraphFunction net = function("images", "logits", (sd, in) ->
                in.reshape(-1, PIXELS).mmul(cw.get(sd, "v")).add(cw.get(sd, "c")));
        classifier = new SameDiffClassifier(net, SPEC, classes, false, Preprocessing.none(1));
    }

    /** n codes uniform in [-0.5, 0.5]. */
    static INDArray codes(int n, long seed) {
        Random r = new Random(seed);
        double[][] z = new double[n][CODE];
        for (double[] row : z) for (int j = 0; j < CODE; j++) row[j] = r.nextDouble() - 0.5;
        return matrix(z);
    }

    /** The decoded images of codes, by hand. */
    double[][] decode(double[][] z) {
        double[][] x = new double[z.length][PIXELS];
        for (int b = 0; b < z.length; b++) {
            for (int j = 0; j < PIXELS; j++) {
                double s = 0.5;
                for (int i = 0; i < CODE; i++) s += z[b][i] * wd[i][j];
                x[b][j] = s;
            }
        }
        return x;
    }

    /** The logits of decoded images, by hand. */
    double[][] logits(double[][] x) {
        double[][] out = new double[x.length][c.length];
        for (int b = 0; b < x.length; b++) {
            for (int k = 0; k < c.length; k++) {
                double s = c[k];
                for (int j = 0; j < PIXELS; j++) s += x[b][j] * v[j][k];
                out[b][k] = s;
            }
        }
        return out;
    }

    /** The code gradient {@code Wd V u} of a loss whose gradient with respect to the logits is {@code u}. */
    double[] codeGradient(double[] u) {
        double[] g = new double[CODE];
        for (int i = 0; i < CODE; i++) {
            for (int j = 0; j < PIXELS; j++) {
                double vu = 0;
                for (int k = 0; k < u.length; k++) vu += v[j][k] * u[k];
                g[i] += wd[i][j] * vu;
            }
        }
        return g;
    }

    /** The classifier's input images for codes (the originals of a latent attack). */
    INDArray images(INDArray codes) {
        double[][] x = decode(rows(codes));
        return matrix(x).reshape(x.length, 1, 4, 4);
    }

    static double[][] rows(INDArray a) {
        int n = (int) a.size(0);
        int per = (int) (a.length() / n);
        float[] f = Floats.of(a);
        double[][] out = new double[n][per];
        for (int b = 0; b < n; b++) for (int j = 0; j < per; j++) out[b][j] = f[b * per + j];
        return out;
    }

    static INDArray matrix(double[][] m) {
        float[] f = new float[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m[0].length; j++) f[i * m[0].length + j] = (float) m[i][j];
        return Nd4j.create(f, new long[] {m.length, m[0].length}, DataType.FLOAT);
    }

    private interface Body {
        SDVariable apply(SameDiff sd, SDVariable in);
    }

    private static GraphFunction function(String in, String out, Body body) {
        return new GraphFunction() {
            @Override public SDVariable[] call(SameDiff sd, String callName, SDVariable... x) {
                return new SDVariable[] {body.apply(sd, x[0])};
            }
            @Override public List<String> inputNames() { return List.of(in); }
            @Override public List<String> outputNames() { return List.of(out); }
        };
    }
}
