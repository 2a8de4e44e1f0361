package org.acejvm.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.acejvm.core.result.Explanation;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.batch.BatchRunner;
import org.acejvm.refine.batch.MethodSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The embedded default on a few Fashion-MNIST test images, as Spark input and as a single-JVM reference run. */
final class SparkFixture {
    /**
     * ACE-l1 of the embedded default, cut to 2 attack iterations so that the tests stay short, with the former filter
     * depth 0.1 (S = 5): these tests check how runs are split, resumed and recovered, not the default's depth, and
     * S = 10 doubles each executor's memory, which the local-cluster executors of ExecutorExitTest did not survive.
     */
    static final double FRACTION = 0.1;
    static final MethodSpec ACE = new MethodSpec("ACE-l1", "pgd", 0, 2, EmbeddedDefault.ATTACK_STEP, 0.001, 0, null,
            FRACTION, Ablation.ACE, EmbeddedDefault.MASK, EmbeddedDefault.INPAINT_STEPS, 0, 4);
    static final TargetRule CONFUSABLE = TargetRule.table(FashionMnist.confusableTable());

    private SparkFixture() {}

    static SparkSession session(String master) {
        return SparkSession.builder().master(master).appName("ace-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.warehouse.dir", System.getProperty("java.io.tmpdir") + "/ace-spark-warehouse")
                .getOrCreate();
    }

    /** PNG bytes of the first {@code n} test images with ids 1000 + index (ids need not be 0..n-1). */
    static List<Row> rows(int n) {
        INDArray x = FashionMnist.load(FashionMnist.Split.TEST, n).images();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) rows.add(RowFactory.create(1000L + i, ImageRows.png(x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)))));
        return rows;
    }

    static Dataset<Row> input(SparkSession spark, List<Row> rows) {
        return spark.createDataFrame(rows, ImageRows.schema(false));
    }

    /** The same images through the library's batch runner in this JVM: the reference of every Spark run. */
    static Map<Long, Explanation> reference(List<Row> rows, MethodSpec spec) {
        Explainer explainer = spec.explainer(EmbeddedDefault.classifier(), EmbeddedDefault.diffusionModel());
        long[] ids = new long[rows.size()];
        INDArray[] images = new INDArray[rows.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rows.get(i).getLong(0);
            images[i] = ImageRows.decode((byte[]) rows.get(i).get(1), "test image", 1).reshape(1, 32, 32);
        }
        BatchRunner.Sink out = BatchRunner.Sink.inMemory();
        BatchRunner.explain("reference", explainer, Nd4j.stack(0, images), ids, CONFUSABLE.targets(), out, null);
        Map<Long, Explanation> byId = new HashMap<>();
        for (long id : ids) byId.put(id, out.get(id));
        return byId;
    }
}
