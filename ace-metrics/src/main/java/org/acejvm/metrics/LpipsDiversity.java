package org.acejvm.metrics;

import org.acejvm.core.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * sigma_L: the diversity of counterfactuals, the mean pairwise LPIPS distance between counterfactuals of the same
 * image generated with different seeds, averaged over images. Add the K >= 2 counterfactuals of one image at a time;
 * images with fewer than two are skipped (and counted). Not thread-safe.
 */
public final class LpipsDiversity {
    private final Lpips lpips;
    private double sum;
    private long images;
    private long skipped;

    public LpipsDiversity(Lpips lpips) {
        Checks.notNull(lpips, "lpips");
        this.lpips = lpips;
    }

    /**
     * Adds the counterfactuals [K, C, H, W] of one image; returns their mean pairwise distance, undefined when K &lt; 2.
     */
    public MetricValue add(INDArray counterfactualsOfOneImage) {
        Checks.images(counterfactualsOfOneImage, null, "counterfactualsOfOneImage");
        int k = (int) counterfactualsOfOneImage.size(0);
        if (k < 2) {
            skipped++;
            return MetricValue.undefined("diversity needs at least 2 counterfactuals of the image, got " + k, k);
        }
        double[][] d = lpips.pairwise(counterfactualsOfOneImage);
        double s = 0;
        for (int i = 0; i < k; i++) for (int j = i + 1; j < k; j++) s += d[i][j];
        double mean = s / (k * (k - 1) / 2.0);
        sum += mean;
        images++;
        return MetricValue.of(mean, k);
    }

    /** sigma_L over the images with at least two counterfactuals. */
    public MetricValue value() {
        return Metrics.mean(sum, images, "no image had at least 2 counterfactuals (" + skipped + " skipped)");
    }

    /** Images skipped because they had fewer than two counterfactuals. */
    public long skipped() { return skipped; }
}
