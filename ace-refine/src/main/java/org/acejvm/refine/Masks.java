package org.acejvm.refine;

import java.util.Arrays;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The refinement mask of ACE, in plain float32 Java (exact, backend-independent):
 * <pre>
 *   m    = sum over channels |x - pre|          (images in [0, 1])
 *   m    = m / max(m)                           (per image; an image with no change keeps everything)
 *   d    = maxpool(m, size = dilation, stride 1, same size)   (the window is cut at the border)
 *   keep = d &lt; threshold                        (1 = keep the original pixel)
 * </pre>
 */
public final class Masks {
    private Masks() {}

    /** The per-image max-normalised channel sum of |x - pre|, [N, 1, H, W]; all zeros for an unchanged image. */
    public static INDArray difference(INDArray original, INDArray preExplanation) {
        checkPair(original, preExplanation);
        long[] s = original.shape();
        int n = (int) s[0], c = (int) s[1], hw = (int) (s[2] * s[3]);
        float[] x = floats(original), p = floats(preExplanation);
        float[] m = new float[n * hw];
        for (int b = 0; b < n; b++) {
            float max = 0f;
            for (int j = 0; j < hw; j++) {
                float sum = 0f;
                for (int ch = 0; ch < c; ch++) {
                    int i = (b * c + ch) * hw + j;
                    sum += Math.abs(x[i] - p[i]);
                }
                m[b * hw + j] = sum;
                max = Math.max(max, sum);
            }
            if (max > 0f) for (int j = 0; j < hw; j++) m[b * hw + j] = m[b * hw + j] / max;
        }
        return Nd4j.create(m, new long[] {n, 1, s[2], s[3]}, DataType.FLOAT);
    }

    /** Square max-pool of odd side {@code size}, stride 1, output the input's size (the window is cut at borders). */
    public static INDArray dilate(INDArray mask, int size) {
        Checks.rank(mask, 4, "mask");
        if (size < 1 || size % 2 == 0) throw new InvalidInputException.Range("dilation: expected an odd number >= 1, got " + size);
        long[] s = mask.shape();
        int planes = (int) (s[0] * s[1]), h = (int) s[2], w = (int) s[3], r = size / 2;
        float[] in = floats(mask);
        float[] rows = new float[in.length];
        float[] out = new float[in.length];
        for (int p = 0; p < planes; p++) {
            int o = p * h * w;
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    float best = Float.NEGATIVE_INFINITY;
                    for (int k = Math.max(0, xx - r); k <= Math.min(w - 1, xx + r); k++) best = Math.max(best, in[o + y * w + k]);
                    rows[o + y * w + xx] = best;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    float best = Float.NEGATIVE_INFINITY;
                    for (int k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) best = Math.max(best, rows[o + k * w + xx]);
                    out[o + y * w + xx] = best;
                }
            }
        }
        return Nd4j.create(out, s.clone(), DataType.FLOAT);
    }

    /**
     * The region a refinement may change, {@code 1 - keep(...)}, [N, 1, H, W] in {0, 1}; 1 = changed: the mask an
     * {@code Explanation} carries.
     */
    public static INDArray changed(INDArray original, INDArray preExplanation, MaskSettings settings) {
        return keep(original, preExplanation, settings).rsub(1.0);
    }

    /** {@code keep = dilate(difference(x, pre)) < threshold}, [N, 1, H, W] in {0, 1}; 1 = keep the original pixel. */
    public static INDArray keep(INDArray original, INDArray preExplanation, MaskSettings settings) {
        Checks.notNull(settings, "settings");
        INDArray d = dilate(difference(original, preExplanation), settings.dilation());
        float[] v = floats(d);
        long[] s = d.shape();
        int hw = (int) (s[2] * s[3]);
        float t = (float) settings.threshold();
        float[] keep = new float[v.length];
        for (int b = 0; b < s[0]; b++) {
            boolean unchanged = true;
            for (int j = 0; j < hw && unchanged; j++) unchanged = v[b * hw + j] == 0f;
            for (int j = 0; j < hw; j++) keep[b * hw + j] = unchanged || v[b * hw + j] < t ? 1f : 0f;
        }
        return Nd4j.create(keep, s, DataType.FLOAT);
    }

    private static void checkPair(INDArray original, INDArray pre) {
        Checks.rank(original, 4, "original");
        Checks.rank(pre, 4, "preExplanation");
        if (!Arrays.equals(original.shape(), pre.shape())) {
            throw new InvalidInputException.Shape("preExplanation: expected the shape of the originals "
                    + Arrays.toString(original.shape()) + ", got " + Arrays.toString(pre.shape()));
        }
        Checks.floating(original, "original");
        Checks.floating(pre, "preExplanation");
    }

    private static float[] floats(INDArray a) { return a.castTo(DataType.FLOAT).dup('c').data().asFloat(); }
}
