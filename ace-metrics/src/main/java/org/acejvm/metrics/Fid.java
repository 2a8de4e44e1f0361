package org.acejvm.metrics;

import org.acejvm.core.InvalidInputException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FID: the Frechet distance between the Gaussian fits of the features of the originals and of the counterfactuals
 * (only the successful ones when {@code successfulOnly}, as the ACE evaluation does). Streaming: features are
 * folded into running moments batch by batch ({@link FeatureMoments}), so memory does not grow with the number of
 * images. Not thread-safe.
 */
public final class Fid {
    private final FeatureExtractor extractor;
    private final boolean successfulOnly;
    private final FeatureMoments originals = new FeatureMoments();
    private final FeatureMoments counterfactuals = new FeatureMoments();

    /**
     * @param extractor      the feature network (may be null if only {@link #addFeatures} is used)
     * @param successfulOnly whether only counterfactuals marked successful enter the counterfactual set
     */
    public Fid(FeatureExtractor extractor, boolean successfulOnly) {
        this.extractor = extractor;
        this.successfulOnly = successfulOnly;
    }

    /** Adds a batch of pairs; {@code successful} (null: all) marks the counterfactuals that reached their target. */
    public Fid add(INDArray originalImages, INDArray counterfactualImages, boolean[] successful) {
        INDArray[] f = Metrics.pairFeatures(extractor, "Fid", originalImages, counterfactualImages, successful);
        return addFeatures(f[0], f[1], successful);
    }

    /** Adds the features [N, D] of a batch of pairs (computed once and shared with {@link SFid}, for example). */
    public Fid addFeatures(INDArray originalFeatures, INDArray counterfactualFeatures, boolean[] successful) {
        long n = Metrics.checkFeaturePairs(originalFeatures, counterfactualFeatures, successful);
        boolean[] keep = successfulOnly && successful != null ? successful : Metrics.all((int) n);
        originals.add(originalFeatures);
        int[] rows = selected(keep);
        if (rows.length == n) counterfactuals.add(counterfactualFeatures);
        else if (rows.length > 0) counterfactuals.add(Metrics.matrix(counterfactualFeatures).getRows(rows));
        return this;
    }

    static int[] selected(boolean[] keep) {
        int count = 0;
        for (boolean k : keep) if (k) count++;
        int[] rows = new int[count];
        for (int i = 0, j = 0; i < keep.length; i++) if (keep[i]) rows[j++] = i;
        return rows;
    }

    /** FID so far; its count is the number of counterfactuals that entered. */
    public MetricValue value() {
        if (originals.count() == 0) return MetricValue.undefined("no images were evaluated", 0);
        long used = counterfactuals.count();
        if (used == 0) return MetricValue.undefined("no successful counterfactuals", 0);
        if (originals.dimension() != counterfactuals.dimension()) {
            throw new InvalidInputException.Shape("feature dimensions differ: " + originals.dimension() + " and "
                    + counterfactuals.dimension());
        }
        MetricValue v = FrechetDistance.between(originals, counterfactuals);
        return v.isDefined() ? MetricValue.of(v.value(), used) : MetricValue.undefined(v.reason().orElseThrow(), used);
    }

    /** The running moments of the originals' features. */
    public FeatureMoments originals() { return originals; }

    /** The running moments of the (successful) counterfactuals' features. */
    public FeatureMoments counterfactuals() { return counterfactuals; }
}
