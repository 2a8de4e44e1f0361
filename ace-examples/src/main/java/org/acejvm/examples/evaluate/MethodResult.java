package org.acejvm.examples.evaluate;

import org.acejvm.metrics.Cout;
import org.acejvm.metrics.MetricValue;

/**
 * One row of the evaluation table: the metrics of one method over the evaluated images.
 *
 * @param method       the method's label (ACE-l1, Pre-CE, plain-PGD, ...)
 * @param images       how many images were explained
 * @param successes    how many explanations reached their target
 * @param flipRate     share of explanations classified as the target (FR)
 * @param fid          FID between the originals and the successful counterfactuals
 * @param sfid         sFID (split FID) on the same sets
 * @param cout         mean COUT over all pairs
 * @param s3           mean cosine similarity of the feature vectors of successful (original, counterfactual) pairs
 * @param meanL1       mean absolute change per pixel value over the successful pairs
 * @param secondsPerImage wall-clock seconds per image (attack and refinement)
 * @param coutCurve    the mean insertion curve over all pairs, or null when there were none
 * @param oracleAgreement    share of the successful counterfactuals an independent oracle assigns to the target, or
 *                           null when no oracle was given
 * @param oracleTargetBefore the oracle's mean target probability on the originals of those pairs (or null)
 * @param oracleTargetAfter  the same on the counterfactuals (or null)
 */
public record MethodResult(String method, long images, long successes, MetricValue flipRate, MetricValue fid,
                           MetricValue sfid, MetricValue cout, MetricValue s3, MetricValue meanL1,
                           MetricValue secondsPerImage, Cout.Curve coutCurve, MetricValue oracleAgreement,
                           MetricValue oracleTargetBefore, MetricValue oracleTargetAfter) {

    /** A row without an oracle. */
    public MethodResult(String method, long images, long successes, MetricValue flipRate, MetricValue fid,
                        MetricValue sfid, MetricValue cout, MetricValue s3, MetricValue meanL1,
                        MetricValue secondsPerImage, Cout.Curve coutCurve) {
        this(method, images, successes, flipRate, fid, sfid, cout, s3, meanL1, secondsPerImage, coutCurve, null, null, null);
    }
}
