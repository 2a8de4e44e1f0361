package org.acejvm.spark;

import static org.apache.spark.sql.functions.col;

import com.google.common.hash.Hashing;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.acejvm.core.Checks;
import org.acejvm.core.Classifier;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.metrics.FeatureExtractor;
import org.acejvm.metrics.FeatureMoments;
import org.acejvm.metrics.FrechetDistance;
import org.acejvm.metrics.MetricValue;
import org.acejvm.metrics.OracleAgreement;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The evaluation of a cluster run's explanations where they lie: each partition turns its rows into counts, oracle
 * sums and feature moments ({@link PartialEvaluation}), the driver merges them; no image is collected.
 *
 * <ul>
 *   <li>flip rate: successful explanations / all;</li>
 *   <li>oracle agreement (when the bundle has an oracle): over the successful targeted explanations, the share the
 *       oracle assigns to the target, and its mean p(target) before and after, as {@link OracleAgreement};</li>
 *   <li>FID (when the bundle has a feature network): between the originals and the successful explanations, equal to
 *       the single-machine {@code Fid} of the same pairs (the moments merge exactly, up to rounding);</li>
 *   <li>sFID: as ACE's, the mean over {@code splits} random halvings of the originals of FID(originals of one half,
 *       explanations of the other); here each image's half is a hash of its id and the split ({@link #half}), not
 *       a global permutation, so that partitions need no coordination: the halves are near, not exactly, equal in
 *       size, and the value differs from the single-machine sFID by that choice of halves only.</li>
 * </ul>
 */
public final class SparkEvaluation {
    private static final int CHUNK = 64;

    private SparkEvaluation() {}

    /** The evaluation's values; undefined where the bundle lacks the model or no explanation succeeded. */
    public record Result(long pairs, MetricValue flipRate, OracleAgreement.Result oracle, MetricValue fid, MetricValue sfid) {}

    /**
     * Evaluates the rows of a run ({@link ResultRows}) against their originals ({@code input}, as given to the run).
     *
     * @param splits sFID halvings (10 in the paper)
     * @param seed   seed of the halvings
     */
    public static Result evaluate(Dataset<Row> results, Dataset<Row> input, ModelBundle models, int splits, long seed) {
        Checks.positive(splits, "splits");
        ImageRows.check(input.schema());
        Dataset<Row> originals = input.select(originalColumns(input));
        Dataset<Row> pairs = results.select(col("id"), col("success"), col("target"), col("explanation"), col("height"), col("width"))
                .join(originals, "id");
        Broadcast<ModelBundle> shipped = JavaSparkContext.fromSparkContext(input.sparkSession().sparkContext()).broadcast(models);
        List<PartialEvaluation> parts = pairs.mapPartitions(new Partial(shipped, splits, seed),
                Encoders.javaSerialization(PartialEvaluation.class)).collectAsList();
        PartialEvaluation all = new PartialEvaluation();
        for (PartialEvaluation p : parts) all = all.merge(p);
        return result(all, splits);
    }

    private static org.apache.spark.sql.Column[] originalColumns(Dataset<Row> input) {
        List<org.apache.spark.sql.Column> c = new ArrayList<>();
        c.add(col(ImageRows.ID).cast("long").as(ImageRows.ID));
        for (String name : input.columns()) {
            if (name.equals(ImageRows.IMAGE) || name.equals(ImageRows.PATH)) c.add(col(name));
        }
        return c.toArray(new org.apache.spark.sql.Column[0]);
    }

    /** Which half (0 or 1) of sFID halving {@code split} image {@code id} falls in. */
    public static int half(long id, long seed, int split) {
        return (int) (Hashing.sipHash24(seed, split).hashLong(id).asLong() & 1);
    }

    private static Result result(PartialEvaluation all, int splits) {
        String none = all.pairs == 0 ? "no explanations were evaluated" : "no explanation succeeded";
        MetricValue flip = all.pairs == 0 ? MetricValue.undefined(none, 0) : MetricValue.of((double) all.successes / all.pairs, all.pairs);
        OracleAgreement.Result oracle = new OracleAgreement.Result(mean(all.oracleAgreed, all.oracleJudged, "no oracle or " + none),
                mean(all.oracleBefore, all.oracleJudged, "no oracle or " + none), mean(all.oracleAfter, all.oracleJudged,
                "no oracle or " + none), all.oracleJudged, all.pairs);
        MetricValue fid = all.originals == null ? MetricValue.undefined("no feature network in the model bundle", 0)
                : all.counterfactuals == null ? MetricValue.undefined(none, 0)
                : fid(all.originals, all.counterfactuals);
        MetricValue sfid = MetricValue.undefined(all.originals == null ? "no feature network in the model bundle" : none, 0);
        if (all.originalHalves != null && all.counterfactuals != null) {
            double sum = 0;
            for (int r = 0; r < splits; r++) {
                MetricValue a = fid(all.originalHalves[r][0], all.counterfactualHalves[r][1]);
                MetricValue b = fid(all.originalHalves[r][1], all.counterfactualHalves[r][0]);
                if (!a.isDefined() || !b.isDefined()) {
                    sum = Double.NaN;
                    sfid = a.isDefined() ? b : a;
                    break;
                }
                sum += (a.value() + b.value()) / 2;
            }
            if (!Double.isNaN(sum)) sfid = MetricValue.of(sum / splits, all.counterfactuals.count());
        }
        return new Result(all.pairs, flip, oracle, fid, sfid);
    }

    private static MetricValue mean(double sum, long n, String reason) {
        return n == 0 ? MetricValue.undefined(reason, 0) : MetricValue.of(sum / n, n);
    }

    private static MetricValue fid(FeatureMoments.State a, FeatureMoments.State b) {
        if (a == null || b == null || a.count() < 2 || b.count() < 2) {
            return MetricValue.undefined("a Frechet distance needs at least 2 images on each side", b == null ? 0 : b.count());
        }
        MetricValue v = FrechetDistance.between(FeatureMoments.of(a), FeatureMoments.of(b));
        return v.isDefined() ? MetricValue.of(v.value(), b.count()) : v;
    }

    /** One partition's contribution. */
    private static final class Partial implements MapPartitionsFunction<Row, PartialEvaluation> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<ModelBundle> models;
        private final int splits;
        private final long seed;

        Partial(Broadcast<ModelBundle> models, int splits, long seed) {
            this.models = models;
            this.splits = splits;
            this.seed = seed;
        }

        @Override public Iterator<PartialEvaluation> call(Iterator<Row> rows) {
            ModelBundle bundle = models.value();
            ImageSpec spec = ExecutorModels.classifier(bundle).inputSpec();
            Classifier oracle = ExecutorModels.oracle(bundle);
            FeatureExtractor features = ExecutorModels.features(bundle);
            Accumulator acc = new Accumulator(splits, seed, oracle, features);
            List<Row> chunk = new ArrayList<>(CHUNK);
            while (rows.hasNext()) {
                chunk.add(rows.next());
                if (chunk.size() == CHUNK || !rows.hasNext()) {
                    acc.add(chunk, spec);
                    chunk.clear();
                }
            }
            return List.of(acc.partial()).iterator();
        }
    }

    /** Folds chunks of pairs into one partition's sums and moments. */
    private static final class Accumulator {
        private final int splits;
        private final long seed;
        private final OracleAgreement oracle;
        private final FeatureExtractor features;
        private final PartialEvaluation p = new PartialEvaluation();
        private final FeatureMoments originals = new FeatureMoments();
        private final FeatureMoments counterfactuals = new FeatureMoments();
        private final FeatureMoments[][] originalHalves;
        private final FeatureMoments[][] counterfactualHalves;

        Accumulator(int splits, long seed, Classifier oracle, FeatureExtractor features) {
            this.splits = splits;
            this.seed = seed;
            this.oracle = oracle == null ? null : new OracleAgreement(oracle);
            this.features = features;
            originalHalves = new FeatureMoments[splits][2];
            counterfactualHalves = new FeatureMoments[splits][2];
            for (int r = 0; r < splits; r++) {
                for (int h = 0; h < 2; h++) {
                    originalHalves[r][h] = new FeatureMoments();
                    counterfactualHalves[r][h] = new FeatureMoments();
                }
            }
        }

        void add(List<Row> chunk, ImageSpec spec) {
            int n = chunk.size();
            long[] ids = new long[n];
            boolean[] success = new boolean[n];
            int[] targets = new int[n];
            INDArray[] x = new INDArray[n];
            INDArray[] cf = new INDArray[n];
            for (int i = 0; i < n; i++) {
                Row r = chunk.get(i);
                ids[i] = r.getLong(r.fieldIndex("id"));
                success[i] = r.getAs("success");
                targets[i] = r.getAs("target");
                x[i] = ImageRows.decode(r, spec).image();
                cf[i] = ResultRows.image(r, "explanation");
                if (!spec.matches(new long[] {1, cf[i].size(0), cf[i].size(1), cf[i].size(2)})) {
                    throw new InvalidInputException.Shape("explanation of id " + ids[i] + " does not have the classifier's shape " + spec);
                }
                p.pairs++;
                if (success[i]) p.successes++;
            }
            INDArray originalBatch = Nd4j.stack(0, x);
            INDArray counterfactualBatch = Nd4j.stack(0, cf);
            if (oracle != null) addOracle(originalBatch, counterfactualBatch, targets, success);
            if (features != null) addFeatures(originalBatch, counterfactualBatch, ids, success);
        }

        private void addOracle(INDArray x, INDArray cf, int[] targets, boolean[] success) {
            int[] rows = java.util.stream.IntStream.range(0, targets.length).filter(i -> targets[i] >= 0).toArray();
            if (rows.length == 0) return;
            boolean[] s = new boolean[rows.length];
            int[] t = new int[rows.length];
            for (int j = 0; j < rows.length; j++) {
                s[j] = success[rows[j]];
                t[j] = targets[rows[j]];
            }
            oracle.add(x.get(NDArrayIndex.indices(toLongs(rows))).dup(), cf.get(NDArrayIndex.indices(toLongs(rows))).dup(), t, s);
        }

        private static long[] toLongs(int[] a) { return java.util.Arrays.stream(a).asLongStream().toArray(); }

        private void addFeatures(INDArray x, INDArray cf, long[] ids, boolean[] success) {
            INDArray fx = features.features(x);
            INDArray fc = features.features(cf);
            originals.add(fx);
            int[] ok = java.util.stream.IntStream.range(0, ids.length).filter(i -> success[i]).toArray();
            if (ok.length > 0) counterfactuals.add(fc.getRows(ok));
            for (int r = 0; r < splits; r++) {
                for (int h = 0; h < 2; h++) {
                    int split = r, half = h;
                    int[] in = java.util.stream.IntStream.range(0, ids.length).filter(i -> half(ids[i], seed, split) == half).toArray();
                    int[] inOk = java.util.stream.IntStream.of(in).filter(i -> success[i]).toArray();
                    if (in.length > 0) originalHalves[r][h].add(fx.getRows(in));
                    if (inOk.length > 0) counterfactualHalves[r][h].add(fc.getRows(inOk));
                }
            }
        }

        PartialEvaluation partial() {
            if (oracle != null) {
                OracleAgreement.Result r = oracle.result();
                p.oracleJudged = r.count();
                if (r.count() > 0) {
                    p.oracleAgreed = Math.round(r.agreement().value() * r.count());
                    p.oracleBefore = r.targetProbabilityBefore().value() * r.count();
                    p.oracleAfter = r.targetProbabilityAfter().value() * r.count();
                }
            }
            if (originals.count() > 0) {
                p.originals = originals.state();
                p.counterfactuals = counterfactuals.count() > 0 ? counterfactuals.state() : null;
                p.originalHalves = states(originalHalves);
                p.counterfactualHalves = states(counterfactualHalves);
            }
            return p;
        }

        private static FeatureMoments.State[][] states(FeatureMoments[][] m) {
            FeatureMoments.State[][] s = new FeatureMoments.State[m.length][2];
            for (int r = 0; r < m.length; r++) for (int h = 0; h < 2; h++) s[r][h] = m[r][h].count() > 0 ? m[r][h].state() : null;
            return s;
        }
    }
}
