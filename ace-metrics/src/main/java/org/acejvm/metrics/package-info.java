/**
 * Evaluation of counterfactual explanations: flip rate ({@link org.acejvm.metrics.FlipRate}), COUT
 * ({@link org.acejvm.metrics.Cout}), FID and sFID ({@link org.acejvm.metrics.Fid}, {@link org.acejvm.metrics.SFid} on
 * {@link org.acejvm.metrics.FrechetDistance}), FS/FVA/S3 ({@link org.acejvm.metrics.CosineSimilarity}), MNAC and CD
 * ({@link org.acejvm.metrics.Mnac}, {@link org.acejvm.metrics.CorrelationDifference} with an
 * {@link org.acejvm.metrics.AttributeOracle}), LPIPS-style distance and sigma_L diversity
 * ({@link org.acejvm.metrics.Lpips}, {@link org.acejvm.metrics.LpipsDiversity}), pixel distances
 * ({@link org.acejvm.metrics.ImageDistances}), how localised a change is ({@link org.acejvm.metrics.ChangeLocality})
 * LPR ({@link org.acejvm.metrics.LatentPerturbationRatio}) and whether an independently trained classifier agrees
 * with the successful counterfactuals ({@link org.acejvm.metrics.OracleAgreement}).
 *
 * <p>Every metric is a streaming accumulator: add batches of (original, counterfactual) pairs, read the value at any
 * time. Values are {@link org.acejvm.metrics.MetricValue}s: a finite number with the count it was computed from, or
 * explicitly undefined with a reason (never NaN). Feature and embedding networks plug in as
 * {@link org.acejvm.metrics.FeatureExtractor} / {@link org.acejvm.metrics.FeatureMapExtractor}, e.g.
 * {@link org.acejvm.metrics.SameDiffFeatures} over any SameDiff graph. Accumulators are not thread-safe.
 *
 * <p>A typical evaluation loop, computing each batch's features once:
 * <pre>{@code
 * FlipRate fr = new FlipRate();
 * Cout cout = new Cout(classifier);
 * Fid fid = new Fid(null, true);                 // successful counterfactuals only
 * SFid sfid = new SFid(null, true, 10, seed);
 * for (Batch b : batches) {
 *     boolean[] ok = fr.add(classifier, b.counterfactuals(), b.targets());
 *     INDArray fo = features.features(b.originals()), fc = features.features(b.counterfactuals());
 *     fid.addFeatures(fo, fc, ok);
 *     sfid.addFeatures(fo, fc, ok);
 *     cout.add(b.originals(), b.counterfactuals(), b.sources(), b.targets());
 * }
 * MetricValue frValue = fr.value(), fidValue = fid.value(), sfidValue = sfid.value(), coutValue = cout.value();
 * // with an independently trained classifier: agreement.add(b.originals(), b.counterfactuals(), b.targets(), ok)
 * }</pre>
 */
package org.acejvm.metrics;
