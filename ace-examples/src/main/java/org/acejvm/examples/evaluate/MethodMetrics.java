package org.acejvm.examples.evaluate;

import org.acejvm.core.Checks;
import org.acejvm.core.Classifier;
import org.acejvm.metrics.ChangeLocality;
import org.acejvm.metrics.CosineSimilarity;
import org.acejvm.metrics.Cout;
import org.acejvm.metrics.FeatureExtractor;
import org.acejvm.metrics.OracleAgreement;
import org.acejvm.metrics.Fid;
import org.acejvm.metrics.FlipRate;
import org.acejvm.metrics.ImageDistances;
import org.acejvm.metrics.MetricValue;
import org.acejvm.metrics.Metrics;
import org.acejvm.metrics.SFid;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The metrics of one method, accumulated batch by batch (every metric streams except sFID, which keeps the feature
 * vectors because its random halves are only known at the end: N x 128 floats per set here).
 *
 * <ul>
 *   <li>FR over all explanations;</li>
 *   <li>FID, sFID (10 seeded splits), S3-style cosine similarity and mean l1 over the successful explanations only
 *       (all originals enter FID and sFID), as the ACE evaluation does;</li>
 *   <li>COUT over all pairs, source = the classifier's class of the original;</li>
 *   <li>where the image changed ({@link ChangeLocality}) over all pairs.</li>
 * </ul>
 * Not thread-safe.
 */
public final class MethodMetrics {
    /** Number of random splits sFID averages over (as in the ACE paper). */
    public static final int SFID_SPLITS = 10;

    private final String method;
    private final FeatureExtractor features;
    private final FlipRate flipRate = new FlipRate();
    private final Fid fid = new Fid(null, true);
    private final SFid sfid;
    private final Cout cout;
    private final CosineSimilarity s3 = CosineSimilarity.simSiam(null);
    private final ImageDistances distances = new ImageDistances();
    private final ChangeLocality locality = new ChangeLocality();
    private OracleAgreement oracle;
    private long images;
    private long nanos;

    /**
     * @param features  the feature network of FID, sFID and S3
     * @param classifier the classifier COUT tracks
     * @param seed      seed of the first sFID split
     */
    public MethodMetrics(String method, FeatureExtractor features, Classifier classifier, long seed) {
        Checks.notNull(method, "method");
        Checks.notNull(features, "features");
        this.method = method;
        this.features = features;
        this.sfid = new SFid(null, true, SFID_SPLITS, seed);
        this.cout = new Cout(classifier).keepCurves(false);
    }

    /** Also measures how often an independently trained classifier agrees with the successful counterfactuals. */
    public MethodMetrics withOracle(Classifier oracleClassifier) {
        oracle = oracleClassifier == null ? null : new OracleAgreement(oracleClassifier);
        return this;
    }

    /**
     * Adds a batch of explanations.
     *
     * @param originals        [N, C, H, W] in [0, 1]
     * @param originalFeatures the feature vectors of the originals [N, D] (computed once, shared by all methods)
     * @param counterfactuals  [N, C, H, W] in [0, 1]
     * @param predicted        the classifier's class of each counterfactual
     * @param sources          the classifier's class of each original
     * @param targets          the target classes
     * @return for each pair, whether the oracle assigns its counterfactual to the target (false for unsuccessful
     *         ones); null without an oracle ({@link #withOracle})
     */
    public boolean[] add(INDArray originals, INDArray originalFeatures, INDArray counterfactuals, int[] predicted,
                    int[] sources, int[] targets) {
        Metrics.checkImagePairs(originals, counterfactuals);
        boolean[] success = flipRate.add(predicted, targets);
        INDArray cfFeatures = features.features(counterfactuals);
        fid.addFeatures(originalFeatures, cfFeatures, success);
        sfid.addFeatures(originalFeatures, cfFeatures, success);
        cout.add(originals, counterfactuals, sources, targets);
        locality.add(originals, counterfactuals);
        boolean[] agrees = oracle == null ? null : oracle.add(originals, counterfactuals, targets, success);
        Metrics.select(originalFeatures, success).ifPresent(of ->
                s3.addEmbeddings(of, Metrics.select(cfFeatures, success).orElseThrow()));
        Metrics.select(originals, success).ifPresent(o ->
                distances.add(o, Metrics.select(counterfactuals, success).orElseThrow()));
        images += originals.size(0);
        return agrees;
    }

    /** Adds wall-clock time spent on this method's images (attack and refinement). */
    public void addTime(long nanoseconds) {
        nanos += nanoseconds;
    }

    /** The table row so far. */
    public MethodResult result() {
        Cout.Result c = cout.result();
        OracleAgreement.Result o = oracle == null ? null : oracle.result();
        MetricValue time = images == 0 ? MetricValue.undefined("no images were evaluated", 0)
                : MetricValue.of(nanos / 1e9 / images, images);
        return new MethodResult(method, images, flipRate.flipped(), flipRate.value(), fid.value(), sfid.value(), c.mean(),
                orNoSuccess(s3.mean()), orNoSuccess(distances.value(ImageDistances.Norm.L1)), time, c.meanCurve(),
                o == null ? null : o.agreement(), o == null ? null : o.targetProbabilityBefore(),
                o == null ? null : o.targetProbabilityAfter());
    }

    /** S3 and l1 see only successful pairs: "no pairs" there means no successful counterfactual. */
    private MetricValue orNoSuccess(MetricValue v) {
        return v.isDefined() || images == 0 ? v : MetricValue.undefined("no successful counterfactuals", 0);
    }

    /** Share of the pixels changed by more than one 8-bit level, over all pairs ({@link ChangeLocality}). */
    public MetricValue changedShare() { return locality.changedShare(); }

    /** Share of the change carried by the 10% most-changed pixels, over all pairs that changed. */
    public MetricValue topShare() { return locality.topShare(); }

    public String method() { return method; }
}
