package org.acejvm.metrics;

import java.util.Arrays;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The shared vocabulary of the metrics: their names as the papers write them (for tables), and the input checks
 * and conversions every metric uses.
 */
public final class Metrics {
    /** Flip rate: share of counterfactuals classified as the target. */
    public static final String FR = "FR";
    /** Counterfactual transition (AUC of target minus source probability along the insertion curve). */
    public static final String COUT = "COUT";
    public static final String FID = "FID";
    public static final String SFID = "sFID";
    /** Face similarity: mean cosine similarity of face-recognition embeddings. */
    public static final String FS = "FS";
    /** Face verification accuracy: share of pairs with cosine similarity above 0.5. */
    public static final String FVA = "FVA";
    /** SimSiam similarity: mean cosine similarity of self-supervised embeddings. */
    public static final String S3 = "S3";
    public static final String MNAC = "MNAC";
    public static final String CD = "CD";
    /** Diversity: mean pairwise LPIPS distance between counterfactuals of the same image. */
    public static final String SIGMA_L = "sigma_L";
    public static final String LPIPS = "LPIPS";
    /** Latent perturbation ratio ||z* - z0||_0 / k. */
    public static final String LPR = "LPR";

    private Metrics() {}

    /**
     * For the feature-based metrics (FID, sFID): checks a batch of image pairs and its success flags (null: all)
     * and returns the features of the originals and of the counterfactuals.
     */
    static INDArray[] pairFeatures(FeatureExtractor extractor, String metric, INDArray originals, INDArray counterfactuals,
                                   boolean[] successful) {
        if (extractor == null) throw new IllegalStateException("this " + metric + " has no feature extractor; use addFeatures");
        checkImagePairs(originals, counterfactuals);
        if (successful != null) checkLength(successful.length, "successful", originals.size(0), "originals");
        return new INDArray[] {extractor.features(originals), extractor.features(counterfactuals)};
    }

    /** Checks the features [N, D] of a batch of pairs and its success flags (null: all); returns N. */
    static long checkFeaturePairs(INDArray originalFeatures, INDArray counterfactualFeatures, boolean[] successful) {
        Checks.notNull(originalFeatures, "originalFeatures");
        Checks.notNull(counterfactualFeatures, "counterfactualFeatures");
        checkSameShape(originalFeatures, "originalFeatures", counterfactualFeatures, "counterfactualFeatures");
        long n = originalFeatures.size(0);
        if (successful != null) checkLength(successful.length, "successful", n, "originals");
        return n;
    }

    /** Two image batches that are compared pair by pair: rank 4, float32 in [0, 1], same count and same shape. */
    public static void checkImagePairs(INDArray originals, INDArray counterfactuals) {
        Checks.images(originals, null, "originals");
        Checks.images(counterfactuals, null, "counterfactuals");
        checkSameShape(originals, "originals", counterfactuals, "counterfactuals");
    }

    /** Same count (Mismatch) and same per-sample shape (Shape). */
    public static void checkSameShape(INDArray a, String nameA, INDArray b, String nameB) {
        Checks.notNull(a, nameA);
        Checks.notNull(b, nameB);
        Checks.sameCount(a.size(0), nameA, b.size(0), nameB);
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new InvalidInputException.Shape("expected " + nameA + " and " + nameB + " to have the same shape, got "
                    + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
    }

    /** A per-sample array (mask, labels) whose length must equal the batch size. */
    public static void checkLength(int length, String name, long batch, String batchName) {
        Checks.sameCount(length, name, batch, batchName);
    }

    /** The rows of {@code x} (trailing dimensions flattened) as doubles, one array per sample. */
    public static double[][] rows(INDArray x) {
        Checks.notNull(x, "array");
        if (x.rank() < 1) throw new InvalidInputException.Shape("expected a batch (rank >= 1), got a scalar");
        int n = (int) x.size(0);
        long d = x.length() / Math.max(1, n);
        double[] flat = x.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) out[i] = Arrays.copyOfRange(flat, (int) (i * d), (int) ((i + 1) * d));
        return out;
    }

    /** A [N, D] double matrix with the trailing dimensions of {@code x} flattened. */
    public static INDArray matrix(INDArray x) {
        Checks.notNull(x, "array");
        long n = x.size(0);
        return x.castTo(DataType.DOUBLE).reshape('c', n, x.length() / Math.max(1, n));
    }

    /** Arithmetic mean, or undefined with {@code emptyReason} when there are no values. */
    public static MetricValue mean(double sum, long count, String emptyReason) {
        return count == 0 ? MetricValue.undefined(emptyReason, 0) : MetricValue.of(sum / count, count);
    }

    /**
     * The samples of a batch that {@code keep} marks (e.g. the successful counterfactuals, for the metrics that the
     * reference evaluation computes on successful pairs only), or empty when none is marked.
     */
    public static java.util.Optional<INDArray> select(INDArray batch, boolean[] keep) {
        Checks.notNull(batch, "batch");
        Checks.notNull(keep, "keep");
        checkLength(keep.length, "keep", batch.size(0), "batch");
        int[] rows = Fid.selected(keep);
        if (rows.length == 0) return java.util.Optional.empty();
        if (rows.length == keep.length) return java.util.Optional.of(batch);
        long[] shape = batch.shape().clone();
        INDArray flat = batch.reshape('c', shape[0], batch.length() / shape[0]).getRows(rows);
        shape[0] = rows.length;
        return java.util.Optional.of(flat.reshape('c', shape));
    }

    /** A mask of all true. */
    public static boolean[] all(int n) {
        boolean[] m = new boolean[n];
        Arrays.fill(m, true);
        return m;
    }
}
