package org.acejvm.metrics;

import org.acejvm.core.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Cosine similarity of embeddings of (original, counterfactual) pairs on a pluggable encoder. One computation, named
 * presets: {@link #faceVerification} gives FS (mean cosine) and FVA (share of pairs above 0.5) on a face-recognition
 * encoder; {@link #simSiam} gives S3 (mean cosine) on a self-supervised encoder. The cosine is
 * {@code a.b / max(|a| |b|, 1e-8)} (as torch.nn.CosineSimilarity), in double. Streaming; not thread-safe.
 */
public final class CosineSimilarity {
    /** The FVA decision threshold of the reference evaluation. */
    public static final double FVA_THRESHOLD = 0.5;
    private static final double EPS = 1e-8;

    private final FeatureExtractor encoder;
    private final String meanName;
    private final String shareName;
    private final double threshold;
    private double sum;
    private long above;
    private long count;

    /**
     * @param encoder   the embedding network (may be null if only {@link #addEmbeddings} is used)
     * @param meanName  name of the mean cosine in tables (FS, S3, ...)
     * @param shareName name of the share above {@code threshold} (FVA), or null if not reported
     * @param threshold cosine above which a pair counts as the same identity
     */
    public CosineSimilarity(FeatureExtractor encoder, String meanName, String shareName, double threshold) {
        Checks.notNull(meanName, "meanName");
        this.encoder = encoder;
        this.meanName = meanName;
        this.shareName = shareName;
        this.threshold = threshold;
    }

    /** FS and FVA on a face-recognition encoder (threshold 0.5). */
    public static CosineSimilarity faceVerification(FeatureExtractor faceEncoder) {
        return new CosineSimilarity(faceEncoder, Metrics.FS, Metrics.FVA, FVA_THRESHOLD);
    }

    /** S3 on a self-supervised (SimSiam) encoder. */
    public static CosineSimilarity simSiam(FeatureExtractor encoder) {
        return new CosineSimilarity(encoder, Metrics.S3, null, FVA_THRESHOLD);
    }

    /** Encodes a batch of pairs and adds their cosines; returns them. */
    public double[] add(INDArray originals, INDArray counterfactuals) {
        if (encoder == null) throw new IllegalStateException("no encoder; use addEmbeddings");
        Metrics.checkImagePairs(originals, counterfactuals);
        return addEmbeddings(encoder.features(originals), encoder.features(counterfactuals));
    }

    /** Adds the cosines of embedding pairs [N, D]; returns them. */
    public double[] addEmbeddings(INDArray a, INDArray b) {
        Metrics.checkSameShape(a, "original embeddings", b, "counterfactual embeddings");
        Checks.finite(a, "original embeddings");
        Checks.finite(b, "counterfactual embeddings");
        double[][] x = Metrics.rows(a);
        double[][] y = Metrics.rows(b);
        double[] cos = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            cos[i] = cosine(x[i], y[i]);
            sum += cos[i];
            if (cos[i] > threshold) above++;
        }
        count += x.length;
        return cos;
    }

    static double cosine(double[] a, double[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += a[k] * b[k];
            na += a[k] * a[k];
            nb += b[k] * b[k];
        }
        return dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), EPS);
    }

    /** The mean cosine (FS / S3). */
    public MetricValue mean() {
        return Metrics.mean(sum, count, "no pairs were evaluated");
    }

    /** The share of pairs with cosine above the threshold (FVA). */
    public MetricValue shareAbove() {
        return Metrics.mean(above, count, "no pairs were evaluated");
    }

    public String meanName() { return meanName; }

    /** Name of {@link #shareAbove()} in tables, or null when this preset does not report it. */
    public String shareName() { return shareName; }

    public double threshold() { return threshold; }
}
