package org.acejvm.metrics;

import java.util.EnumMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pixel-space distances between originals and counterfactuals, per image, averaged over the images added
 * (streaming; not thread-safe). Computed in double on the [0, 1] images.
 */
public final class ImageDistances {

    /** The distances reported. */
    public enum Norm {
        /** Mean absolute difference per value of the image: sum|x - x'| / (C H W). */
        L1,
        /** Summed absolute difference: sum|x - x'| (the attack's l1 term). */
        L1_SUM,
        /** Euclidean norm ||x - x'||_2. */
        L2,
        /** Largest absolute difference max|x - x'|. */
        LINF
    }

    private final EnumMap<Norm, Double> sums = new EnumMap<>(Norm.class);
    private long count;

    public ImageDistances() {
        for (Norm n : Norm.values()) sums.put(n, 0.0);
    }

    /** Adds a batch of pairs; returns each norm's per-image values. */
    public Map<Norm, double[]> add(INDArray originals, INDArray counterfactuals) {
        Map<Norm, double[]> values = perImage(originals, counterfactuals);
        values.forEach((norm, v) -> {
            double s = 0;
            for (double x : v) s += x;
            sums.merge(norm, s, Double::sum);
        });
        count += originals.size(0);
        return values;
    }

    /** The mean of {@code norm} over all images added. */
    public MetricValue value(Norm norm) {
        return Metrics.mean(sums.get(norm), count, "no pairs were evaluated");
    }

    /** Every norm of every pair, without accumulating (differences taken in double). */
    public static Map<Norm, double[]> perImage(INDArray originals, INDArray counterfactuals) {
        Metrics.checkImagePairs(originals, counterfactuals);
        float[] a = originals.dup('c').data().asFloat();
        float[] b = counterfactuals.dup('c').data().asFloat();
        int n = (int) originals.size(0);
        int size = a.length / n;
        double[] l1 = new double[n], l1sum = new double[n], l2 = new double[n], linf = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0, sq = 0, max = 0;
            for (int k = i * size; k < (i + 1) * size; k++) {
                double d = Math.abs((double) a[k] - (double) b[k]);
                s += d;
                sq += d * d;
                max = Math.max(max, d);
            }
            l1sum[i] = s;
            l1[i] = s / size;
            l2[i] = Math.sqrt(sq);
            linf[i] = max;
        }
        EnumMap<Norm, double[]> out = new EnumMap<>(Norm.class);
        out.put(Norm.L1, l1);
        out.put(Norm.L1_SUM, l1sum);
        out.put(Norm.L2, l2);
        out.put(Norm.LINF, linf);
        return out;
    }
}
