package org.acejvm.metrics;

import java.util.Arrays;
import org.acejvm.core.InvalidInputException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How localised the change from an original to its counterfactual is, on the per-pixel map sum_c |x - x'| (the map
 * the ACE mask is built from), per image, averaged over the images added (streaming; not thread-safe):
 * <ul>
 *   <li><b>changed share</b>: the share of pixels whose change exceeds a threshold (default {@link #ONE_LEVEL}, one
 *   8-bit level: a change a saved PNG keeps);</li>
 *   <li><b>top share</b>: the share of the image's total change carried by its most-changed pixels (default the
 *   {@link #TOP_FRACTION} most-changed); undefined for an image without any change, which is left out of the mean.</li>
 * </ul>
 * A localised counterfactual changes few pixels and its largest changes carry most of the total (top share near 1);
 * an adversarial perturbation changes nearly every pixel a little (changed share near 1, top share near the
 * fraction itself).
 */
public final class ChangeLocality {
    /** One 8-bit level of an image in [0, 1]. */
    public static final double ONE_LEVEL = 1.0 / 255;
    /** The default share of most-changed pixels whose part of the total change is reported. */
    public static final double TOP_FRACTION = 0.1;

    private final double threshold;
    private final double topFraction;
    private double changedSum, topSum;
    private long images, changedImages;

    /** Per-image values of one batch; {@code topShare[i]} is NaN where image i did not change at all. */
    public record PerImage(double[] changedShare, double[] topShare) {}

    /** With the defaults: threshold one 8-bit level, top 10% of the pixels. */
    public ChangeLocality() { this(ONE_LEVEL, TOP_FRACTION); }

    public ChangeLocality(double threshold, double topFraction) {
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new InvalidInputException.Range("threshold: expected a finite value >= 0, got " + threshold);
        }
        if (!(topFraction > 0 && topFraction <= 1)) {
            throw new InvalidInputException.Range("topFraction: expected a value in (0, 1], got " + topFraction);
        }
        this.threshold = threshold;
        this.topFraction = topFraction;
    }

    public double threshold() { return threshold; }
    public double topFraction() { return topFraction; }

    /** Adds a batch of pairs [N, C, H, W] in [0, 1]; returns the per-image values. */
    public PerImage add(INDArray originals, INDArray counterfactuals) {
        PerImage v = perImage(originals, counterfactuals);
        for (int i = 0; i < v.changedShare().length; i++) {
            changedSum += v.changedShare()[i];
            images++;
            if (!Double.isNaN(v.topShare()[i])) {
                topSum += v.topShare()[i];
                changedImages++;
            }
        }
        return v;
    }

    /** Mean share of pixels changed by more than the threshold, over all images added. */
    public MetricValue changedShare() { return Metrics.mean(changedSum, images, "no pairs were evaluated"); }

    /** Mean share of the total change carried by the most-changed pixels, over the images that changed at all. */
    public MetricValue topShare() {
        return images > 0 && changedImages == 0 ? MetricValue.undefined("no counterfactual differs from its original", images)
                : Metrics.mean(topSum, changedImages, "no pairs were evaluated");
    }

    /** The per-image values of a batch, without accumulating. */
    public PerImage perImage(INDArray originals, INDArray counterfactuals) {
        Metrics.checkImagePairs(originals, counterfactuals);
        int n = (int) originals.size(0);
        int channels = (int) originals.size(1);
        int plane = (int) (originals.length() / n / channels);
        float[] a = originals.dup('c').data().asFloat();
        float[] b = counterfactuals.dup('c').data().asFloat();
        int top = Math.max(1, (int) Math.ceil(topFraction * plane));
        double[] changed = new double[n], topShare = new double[n];
        double[] map = new double[plane];
        for (int i = 0; i < n; i++) {
            Arrays.fill(map, 0);
            int base = i * channels * plane;
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    int k = base + c * plane + p;
                    map[p] += Math.abs((double) a[k] - (double) b[k]);
                }
            }
            double total = 0;
            int count = 0;
            for (double d : map) {
                total += d;
                if (d > threshold) count++;
            }
            changed[i] = count / (double) plane;
            if (total == 0) {
                topShare[i] = Double.NaN;
            } else {
                Arrays.sort(map);
                double largest = 0;
                for (int p = plane - top; p < plane; p++) largest += map[p];
                topShare[i] = Math.min(1.0, largest / total);
            }
        }
        return new PerImage(changed, topShare);
    }
}
