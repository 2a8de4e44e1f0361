/**
 * Evaluation of counterfactual explanations: flip rate ({@link org.acejvm.metrics.FlipRate}), COUT
 * ({@link org.acejvm.metrics.Cout}), FID and sFID ({@link org.acejvm.metrics.Fid}, {@link org.acejvm.metrics.SFid} on
 * {@link org.acejvm.metrics.FrechetDistance}), FS/FVA/S3 ({@link org.acejvm.metrics.CosineSimilarity}), MNAC and CD
 * ({@link org.acejvm.metrics.Mnac}, {@link org.acejvm.metrics.CorrelationDifference} with an
 * {@link org.acejvm.metrics.AttributeOracle}), LPIPS-style distance and sigma_L diversity
 * ({@link org.acejvm.metrics.Lpips}, {@link org.acejvm.metrics.LpipsDiversity}), pixel distances
 * ({@link org.acejvm.metrics.ImageDistances}) and LPR ({@link org.acejvm.metrics.LatentPerturbationRatio}).
 *
 * <p>Every metric is a streaming accumulator: add batches of (original, counterfactual) pairs, read the value at any
 * time. Values are {@link org.acejvm.metrics.MetricValue}s: a finite number with the count it was computed from, or
 * explicitly undefined with a reason (never NaN). Feature and embedding networks plug in as
 * {@link org.acejvm.metrics.FeatureExtractor} / {@link org.acejvm.metrics.FeatureMapExtractor}, e.g.
 * {@link org.acejvm.metrics.SameDiffFeatures} over any SameDiff graph. Accumulators are not thread-safe.
 */
package org.acejvm.metrics;
