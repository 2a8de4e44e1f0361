package org.acejvm.spark;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.acejvm.core.AceException;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.acejvm.refine.batch.MethodSpec;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import scala.Tuple2;
import org.slf4j.LoggerFactory;

/**
 * Explains a data set on Spark with one method of the library: the input rows ({@link ImageRows}) go through the
 * library's batch runner in {@code mapPartitions}, one output row per image ({@link ResultRows}). The models are
 * broadcast once and built once per executor thread. Noise is keyed by image id, and the driver cuts the input, in
 * id order, into batches of the method's batch size that each run whole in one partition: so the results equal a
 * single-JVM run of the same method over the images in id order bit for bit, probabilities included, whatever the
 * partitioning.
 *
 * <p>{@link #explain(Dataset, String)} writes Parquet in waves: each wave is one Spark job whose output is committed
 * as a whole, so a task that fails is retried without leaving its partial output behind, and a run that is
 * interrupted loses at most its current wave; run it again on the same folder and it explains only the ids the
 * folder lacks. Instances are immutable and serialisable only through what they ship (the bundle, the method's text).
 */
public final class SparkExplainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkExplainer.class);

    private final ModelBundle models;
    private final MethodSpec method;
    private final TargetRule targets;
    private final int partitions;
    private final int waveSize;
    private final PartitionListener listener;

    private SparkExplainer(Builder b) {
        this.models = b.models;
        this.method = b.method;
        this.targets = b.targets;
        this.partitions = b.partitions;
        this.waveSize = b.waveSize;
        this.listener = b.listener;
    }

    public static Builder builder(ModelBundle models, MethodSpec method) { return new Builder(models, method); }

    public MethodSpec method() { return method; }

    public ModelBundle models() { return models; }

    /**
     * Explains the images of {@code input} that {@code out} does not hold yet and appends their rows to {@code out}
     * (Parquet, on any file system Spark writes to). Refuses duplicate ids, and a folder whose results were made with
     * other models, method or targets.
     */
    public SparkRun explain(Dataset<Row> input, String out) {
        Checks.notNull(out, "out");
        ImageRows.check(input.schema());
        SparkSession spark = input.sparkSession();
        long t0 = System.nanoTime();
        List<Row> dup = input.groupBy(ImageRows.ID).count().filter(col("count").gt(1)).limit(5).collectAsList();
        if (!dup.isEmpty()) {
            throw new InvalidInputException("the input holds ids more than once (ids must be unique: they key the noise "
                    + "and the results), for example " + dup.stream().map(r -> r.get(0).toString()).toList());
        }
        ResultFolder folder = new ResultFolder(out, spark.sparkContext().hadoopConfiguration());
        folder.claim(settings());
        Dataset<Row> in = input.withColumn(ImageRows.ID, col(ImageRows.ID).cast("long"));
        long[] all = ids(in);
        long[] done = folder.hasResults() ? ids(spark.read().parquet(out)) : new long[0];
        // batches of consecutive ids, as a single-JVM run over the input in id order makes them; a wave holds whole
        // batches, so after an interruption a batch is either stored whole or missing whole
        int batch = method.batchSize();
        List<Row> todo = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            if (Arrays.binarySearch(done, all[i]) < 0) todo.add(RowFactory.create(all[i], (long) (i / batch), 0L));
        }
        List<List<Row>> waves = waves(todo, Math.max(1, waveSize / batch));
        LOG.info("{}: {} images, {} already in {}, {} to explain in {} waves", method.name(), all.length,
                all.length - todo.size(), out, todo.size(), waves.size());
        PartitionExplainer fn = function(spark);
        long explained = 0;
        for (int w = 0; w < waves.size(); w++) {
            List<Row> wave = waves.get(w);
            long batches = wave.get(wave.size() - 1).getLong(2) + 1;
            int p = (int) Math.min(batches, partitions > 0 ? partitions : spark.sparkContext().defaultParallelism());
            Dataset<Row> keys = spark.createDataFrame(wave, BATCH_KEYS);
            JavaRDD<Row> rows = in.join(broadcast(keys), ImageRows.ID).javaRDD()
                    .mapToPair(r -> new Tuple2<>(new BatchSlots.Key(r.getLong(r.fieldIndex(SLOT)),
                            r.getLong(r.fieldIndex(PartitionExplainer.BATCH)), r.getLong(r.fieldIndex(ImageRows.ID))), r))
                    .repartitionAndSortWithinPartitions(new BatchSlots(p))
                    .values()
                    .mapPartitions(fn);
            try {
                spark.createDataFrame(rows, ResultRows.SCHEMA).write().mode(SaveMode.Append).parquet(out);
            } catch (Exception e) {   // Spark's job failure is a checked SparkException, thrown undeclared
                AceException typed = typedCause(e);
                if (typed != null) throw typed;
                throw e;
            }
            explained += wave.size();
            double s = (System.nanoTime() - t0) / 1e9;
            LOG.info(String.format(Locale.ROOT, "%s: wave %d/%d committed, %d/%d images, %.1f images/min, about %.0f s left",
                    method.name(), w + 1, waves.size(), explained, todo.size(), 60 * explained / s,
                    s / explained * (todo.size() - explained)));
        }
        return new SparkRun(all.length, all.length - todo.size(), todo.size(), waves.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** The library's own error when a task failed with one (bad input found on an executor), else null. */
    private static AceException typedCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AceException ace) return ace;
        }
        return null;
    }

    /** The column of a batch's place in its wave (0, 1, ...: it picks the partition). */
    private static final String SLOT = "ace_slot";

    private static final StructType BATCH_KEYS = new StructType(new StructField[] {
        DataTypes.createStructField(ImageRows.ID, DataTypes.LongType, false),
        DataTypes.createStructField(PartitionExplainer.BATCH, DataTypes.LongType, false),
        DataTypes.createStructField(SLOT, DataTypes.LongType, false)});

    /** The (id, batch, -) rows cut into waves of {@code batchesPerWave} whole batches, each row given its batch's slot. */
    private static List<List<Row>> waves(List<Row> todo, int batchesPerWave) {
        List<List<Row>> waves = new ArrayList<>();
        List<Row> current = new ArrayList<>();
        long batches = 0, last = -1;
        for (Row r : todo) {
            long b = r.getLong(1);
            if (b != last) {
                if (batches == batchesPerWave) {
                    waves.add(current);
                    current = new ArrayList<>();
                    batches = 0;
                }
                batches++;
                last = b;
            }
            current.add(RowFactory.create(r.getLong(0), b, batches - 1));
        }
        if (!current.isEmpty()) waves.add(current);
        return waves;
    }

    /** The ids of a table, sorted. */
    private static long[] ids(Dataset<Row> table) {
        long[] ids = table.select(col(ImageRows.ID).cast("long")).as(Encoders.LONG()).collectAsList().stream()
                .mapToLong(Long::longValue).toArray();
        Arrays.sort(ids);
        return ids;
    }

    /** What the results are made with: a resumed run must match it. */
    String settings() {
        return "models=" + models.key() + "\ntargets=" + targets + "\n" + method.toText();
    }

    private PartitionExplainer function(SparkSession spark) {
        Broadcast<ModelBundle> shipped = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(models);
        return new PartitionExplainer(shipped, method, targets, listener);
    }

    public static final class Builder {
        private final ModelBundle models;
        private final MethodSpec method;
        private TargetRule targets = TargetRule.untargeted();
        private int partitions;
        private int waveSize = 256;
        private PartitionListener listener = PartitionListener.logging();

        private Builder(ModelBundle models, MethodSpec method) {
            Checks.notNull(models, "models");
            Checks.notNull(method, "method");
            this.models = models;
            this.method = method;
        }

        /** Targets of rows without a target column (default: untargeted). */
        public Builder targets(TargetRule t) { Checks.notNull(t, "targets"); targets = t; return this; }

        /** Partitions per wave (default: Spark's default parallelism; at most one per batch). Results do not depend on it. */
        public Builder partitions(int p) { Checks.positive(p, "partitions"); partitions = p; return this; }

        /**
         * Images per wave (default 256; rounded down to whole batches, at least one): each wave is committed as a
         * whole, so an interruption loses at most one wave; smaller waves lose less but leave executors idle at each
         * wave's end.
         */
        public Builder waveSize(int n) { Checks.positive(n, "waveSize"); waveSize = n; return this; }

        /** Told after each chunk of each partition (default: logs progress on the executor). */
        public Builder listener(PartitionListener l) { Checks.notNull(l, "listener"); listener = l; return this; }

        public SparkExplainer build() { return new SparkExplainer(this); }
    }
}
