package org.acejvm.metrics;

import org.acejvm.core.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LPR (AIP): {@code ||z* - z0||_0 / k}, the share of the k latent coordinates that the counterfactual's code z*
 * changed from the original's z0, with a coordinate counted as changed when {@code |z*_j - z0_j| > tolerance}
 * (exact zeros are rare in float arithmetic). Mean over samples; streaming; not thread-safe.
 */
public final class LatentPerturbationRatio {
    private final double tolerance;
    private double sum;
    private long count;

    /** @param tolerance absolute change at or below which a coordinate counts as unchanged (>= 0) */
    public LatentPerturbationRatio(double tolerance) {
        Checks.nonNegative(tolerance, "tolerance");
        this.tolerance = tolerance;
    }

    /** Adds latent codes [N, k] (trailing dimensions flattened) of originals and counterfactuals; returns each LPR. */
    public double[] add(INDArray z0, INDArray zStar) {
        Metrics.checkSameShape(z0, "z0", zStar, "zStar");
        Checks.finite(z0, "z0");
        Checks.finite(zStar, "zStar");
        double[][] a = Metrics.rows(z0);
        double[][] b = Metrics.rows(zStar);
        double[] lpr = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            int changed = 0;
            for (int j = 0; j < a[i].length; j++) if (Math.abs(b[i][j] - a[i][j]) > tolerance) changed++;
            lpr[i] = (double) changed / a[i].length;
            sum += lpr[i];
        }
        count += a.length;
        return lpr;
    }

    public MetricValue value() {
        return Metrics.mean(sum, count, "no latent codes were evaluated");
    }
}
