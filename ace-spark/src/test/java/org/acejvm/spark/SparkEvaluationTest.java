package org.acejvm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.metrics.FeatureExtractor;
import org.acejvm.metrics.FeatureMoments;
import org.acejvm.metrics.Fid;
import org.acejvm.metrics.FrechetDistance;
import org.acejvm.metrics.OracleAgreement;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.batch.MethodSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The distributed evaluation equals the single-machine metrics on the same pairs: flip rate and oracle agreement
 * exactly, FID within rounding, sFID equal to the Frechet distances of the same hashed halves computed in one JVM.
 */
class SparkEvaluationTest {
    /** Plain PGD (no filter: cheap) flips most images in 10 steps, so FID has enough successful explanations. */
    static final MethodSpec PLAIN = new MethodSpec("plain-PGD", "pgd", 0, 10, EmbeddedDefault.ATTACK_STEP, 0.001, 0, null,
            0, Ablation.PRE_CE, EmbeddedDefault.MASK, 0, 0, 8);

    @TempDir Path tmp;

    @Test
    void mergedPartitionStatisticsEqualTheSingleMachineMetrics() {
        SparkSession spark = SparkFixture.session("local[2]");
        try {
            List<Row> rows = SparkFixture.rows(24);
            Dataset<Row> input = SparkFixture.input(spark, rows);
            String out = tmp.resolve("plain").toString();
            SparkExplainer.builder(ModelBundle.embeddedDefault(), PLAIN).targets(SparkFixture.CONFUSABLE).partitions(3).build()
                    .explain(input, out);
            Dataset<Row> results = spark.read().parquet(out);
            SparkEvaluation.Result r = SparkEvaluation.evaluate(results, input.repartition(2), ModelBundle.embeddedDefault(), 3, 7);

            List<Row> res = new ArrayList<>(results.collectAsList());
            res.sort(Comparator.comparingLong(x -> x.getLong(x.fieldIndex("id"))));
            int n = res.size();
            INDArray x = Nd4j.create(n, 1, 32, 32);
            INDArray cf = Nd4j.create(n, 1, 32, 32);
            boolean[] ok = new boolean[n];
            int[] targets = new int[n];
            long[] ids = new long[n];
            int successes = 0;
            for (int i = 0; i < n; i++) {
                Row row = res.get(i);
                ids[i] = row.getLong(row.fieldIndex("id"));
                x.putSlice(i, ImageRows.decode((byte[]) rows.get((int) (ids[i] - 1000)).get(1), "original", 1).reshape(1, 32, 32));
                cf.putSlice(i, ResultRows.image(row, "explanation"));
                ok[i] = row.getAs("success");
                targets[i] = row.getAs("target");
                if (ok[i]) successes++;
            }
            assertThat(successes).as("successful explanations").isGreaterThanOrEqualTo(4);
            assertThat(r.pairs()).isEqualTo(24);
            assertThat(r.flipRate().value()).isEqualTo(successes / 24.0);

            OracleAgreement.Result oracle = OracleAgreement.of(EmbeddedDefault.oracle(), x, cf, targets, ok);
            assertThat(r.oracle().count()).isEqualTo(oracle.count());
            assertThat(r.oracle().agreement().value()).isEqualTo(oracle.agreement().value());
            assertThat(r.oracle().targetProbabilityAfter().value()).isCloseTo(oracle.targetProbabilityAfter().value(), within(1e-12));
            assertThat(r.oracle().targetProbabilityBefore().value()).isCloseTo(oracle.targetProbabilityBefore().value(), within(1e-12));

            FeatureExtractor features = EmbeddedDefault.penultimateFeatures(EmbeddedDefault.classifier());
            double fid = new Fid(features, true).add(x, cf, ok).value().value();
            assertThat(r.fid().value()).isCloseTo(fid, within(1e-6 * Math.max(1, fid)));

            INDArray fx = features.features(x);
            INDArray fc = features.features(cf);
            double sum = 0;
            for (int split = 0; split < 3; split++) {
                FeatureMoments[] o = {new FeatureMoments(), new FeatureMoments()};
                FeatureMoments[] c = {new FeatureMoments(), new FeatureMoments()};
                for (int i = 0; i < n; i++) {
                    int h = SparkEvaluation.half(ids[i], 7, split);
                    o[h].add(fx.getRows(i));
                    if (ok[i]) c[h].add(fc.getRows(i));
                }
                sum += (FrechetDistance.between(o[0], c[1]).value() + FrechetDistance.between(o[1], c[0]).value()) / 2;
            }
            assertThat(r.sfid().value()).isCloseTo(sum / 3, within(1e-6 * Math.max(1, sum / 3)));
        } finally {
            spark.stop();
        }
    }
}
