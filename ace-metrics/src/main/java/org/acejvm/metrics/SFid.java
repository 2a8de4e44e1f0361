package org.acejvm.metrics;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * sFID (ACE): FID without the bias of comparing each counterfactual with its own original. The originals are split
 * in two halves at random; sFID of one split = (FID(originals of half 1, counterfactuals of half 2) + FID(originals
 * of half 2, counterfactuals of half 1)) / 2; the metric is the mean over {@code splits} seeded splits (10 in the
 * paper). With {@code successfulOnly}, only successful counterfactuals enter (all originals always do).
 *
 * <p>Split r is the permutation {@link #permutation(int, long)} with seed {@code seed + r}; half 1 is its first
 * floor(N/2) entries. Because the halves are only known once all samples are in, the features (not the images) are
 * kept: N x D values per set, in the data type they came in. Not thread-safe.
 */
public final class SFid {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final FeatureExtractor extractor;
    private final boolean successfulOnly;
    private final int splits;
    private final long seed;
    private final List<INDArray> originalChunks = new ArrayList<>();
    private final List<INDArray> counterfactualChunks = new ArrayList<>();
    private final List<Boolean> success = new ArrayList<>();

    /**
     * @param extractor      the feature network (may be null if only {@link #addFeatures} is used)
     * @param successfulOnly whether only successful counterfactuals enter
     * @param splits         number of random splits to average (>= 1)
     * @param seed           seed of the first split
     */
    public SFid(FeatureExtractor extractor, boolean successfulOnly, int splits, long seed) {
        Checks.positive(splits, "splits");
        this.extractor = extractor;
        this.successfulOnly = successfulOnly;
        this.splits = splits;
        this.seed = seed;
    }

    /** Adds a batch of pairs; {@code successful} (null: all) marks the counterfactuals that reached their target. */
    public SFid add(INDArray originalImages, INDArray counterfactualImages, boolean[] successful) {
        INDArray[] f = Metrics.pairFeatures(extractor, "SFid", originalImages, counterfactualImages, successful);
        return addFeatures(f[0], f[1], successful);
    }

    /** Adds the features [N, D] of a batch of pairs. */
    public SFid addFeatures(INDArray originalFeatures, INDArray counterfactualFeatures, boolean[] successful) {
        long n = Metrics.checkFeaturePairs(originalFeatures, counterfactualFeatures, successful);
        Checks.finite(originalFeatures, "originalFeatures");
        Checks.finite(counterfactualFeatures, "counterfactualFeatures");
        originalChunks.add(flat(originalFeatures));
        counterfactualChunks.add(flat(counterfactualFeatures));
        for (int i = 0; i < n; i++) success.add(!successfulOnly || successful == null || successful[i]);
        return this;
    }

    private static INDArray flat(INDArray f) {
        long n = f.size(0);
        return f.dup('c').reshape('c', n, f.length() / n);
    }

    /** The mean over splits, and the value of each split. */
    public Result result() {
        int n = success.size();
        if (n == 0) return new Result(MetricValue.undefined("no images were evaluated", 0), new double[0]);
        long used = success.stream().filter(b -> b).count();
        if (used == 0) return new Result(MetricValue.undefined("no successful counterfactuals", 0), new double[0]);
        INDArray originals = concat(originalChunks);
        INDArray counterfactuals = concat(counterfactualChunks);
        double[] perSplit = new double[splits];
        double sum = 0;
        for (int r = 0; r < splits; r++) {
            int[] p = permutation(n, seed + r);
            int half = n / 2;
            int[] h1 = java.util.Arrays.copyOfRange(p, 0, half);
            int[] h2 = java.util.Arrays.copyOfRange(p, half, n);
            MetricValue a = FrechetDistance.between(moments(originals, h1), moments(counterfactuals, successful(h2)));
            MetricValue b = FrechetDistance.between(moments(originals, h2), moments(counterfactuals, successful(h1)));
            for (MetricValue v : new MetricValue[] {a, b}) {
                if (!v.isDefined()) {
                    return new Result(MetricValue.undefined("split " + r + ": " + v.reason().orElseThrow(), used),
                            new double[0]);
                }
            }
            perSplit[r] = 0.5 * (a.value() + b.value());
            sum += perSplit[r];
        }
        return new Result(MetricValue.of(sum / splits, used), perSplit);
    }

    /** Shorthand for {@code result().mean()}. */
    public MetricValue value() { return result().mean(); }

    /** sFID (undefined with a reason when some split has fewer than 2 samples on a side) and per-split values. */
    public record Result(MetricValue mean, double[] perSplit) {}

    private int[] successful(int[] rows) {
        return java.util.Arrays.stream(rows).filter(success::get).toArray();
    }

    private static FeatureMoments moments(INDArray features, int[] rows) {
        FeatureMoments m = new FeatureMoments();
        if (rows.length > 0) m.add(features.getRows(rows));
        return m;
    }

    private static INDArray concat(List<INDArray> chunks) {
        return chunks.size() == 1 ? chunks.get(0) : Nd4j.concat(0, chunks.toArray(new INDArray[0]));
    }

    /**
     * A reproducible permutation of 0..n-1: Fisher-Yates driven by SplitMix64 seeded with {@code seed}; for i = n-1
     * down to 1 it swaps i with j = (next >>> 1) mod (i + 1). scripts/make_metric_fixtures.py implements the same.
     */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        long state = seed;
        for (int i = n - 1; i > 0; i--) {
            state += GOLDEN;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            int j = (int) ((z >>> 1) % (i + 1));
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
