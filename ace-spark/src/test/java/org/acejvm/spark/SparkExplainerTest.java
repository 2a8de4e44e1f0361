package org.acejvm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.result.Explanation;
import org.acejvm.refine.batch.ResultStore;
import org.apache.spark.TaskContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SparkExplainer in local[2] (two task threads, up to 2 attempts per task) on 16 embedded-default images: the same
 * explanations as the single-JVM batch runner for any partitioning, each image exactly once after a failed task
 * attempt, and a resumed run that explains only what an interrupted one left.
 */
class SparkExplainerTest {
    private static final int N = 16;
    /** Fails every first attempt of partition 1 after its first chunk (the listener runs in this JVM in local mode). */
    static final AtomicBoolean FAIL_FIRST_ATTEMPT = new AtomicBoolean();
    static final AtomicInteger FAILED_TASKS = new AtomicInteger();

    private static SparkSession spark;
    private static List<Row> rows;
    private static Map<Long, Explanation> reference;

    @TempDir Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkFixture.session("local[2,2]");
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) FAILED_TASKS.incrementAndGet();
            }
        });
        rows = SparkFixture.rows(N);
        reference = SparkFixture.reference(rows, SparkFixture.ACE);
    }

    @AfterAll
    static void stop() { spark.stop(); }

    private static SparkExplainer.Builder explainer() {
        return SparkExplainer.builder(ModelBundle.embeddedDefault(), SparkFixture.ACE).targets(SparkFixture.CONFUSABLE)
                .listener((partition, attempt, done, seconds) -> {
                    if (FAIL_FIRST_ATTEMPT.get() && partition == 1 && attempt == 0) {
                        throw new IllegalStateException("injected: first attempt of partition 1 fails after " + done + " images");
                    }
                });
    }

    private Map<Long, Row> read(String out) {
        Map<Long, Row> byId = new HashMap<>();
        for (Row r : spark.read().parquet(out).collectAsList()) {
            assertThat(byId.put(r.getLong(r.fieldIndex("id")), r)).as("id %s twice", r.get(0)).isNull();
        }
        return byId;
    }

    /** Every output row equals the reference explanation of its image bit for bit (images and probabilities). */
    private static void assertSameAsReference(Map<Long, Row> out) {
        assertThat(out.keySet()).isEqualTo(reference.keySet());
        for (Explanation e : reference.values()) {
            Row r = out.get(e.sampleId());
            assertThat(ResultRows.floats(r.getAs("explanation"))).as("explanation of %s", e.sampleId()).isEqualTo(e.explanation().data());
            assertThat(ResultRows.floats(r.getAs("pre_explanation"))).isEqualTo(e.preExplanation().data());
            assertThat(ResultRows.floats(r.getAs("mask"))).isEqualTo(e.mask().data());
            assertThat((double) r.getAs("p_target_after")).isEqualTo(e.after().target());
            assertThat((double) r.getAs("p_source_after")).isEqualTo(e.after().source());
            assertThat((double) r.getAs("p_target_before")).isEqualTo(e.before().target());
            assertThat((boolean) r.getAs("success")).isEqualTo(e.success());
            assertThat((int) r.getAs("source")).isEqualTo(e.source());
            assertThat((int) r.getAs("target")).isEqualTo(e.target());
        }
    }

    @Test
    void sameAsTheSingleJvmRunnerForTwoPartitionings() {
        String one = tmp.resolve("one").toString();
        SparkRun a = explainer().partitions(1).waveSize(N).build().explain(SparkFixture.input(spark, rows), one);
        assertThat(a.explained()).isEqualTo(N);
        assertThat(a.waves()).isEqualTo(1);
        assertSameAsReference(read(one));

        String three = tmp.resolve("three").toString();
        SparkRun b = explainer().partitions(3).waveSize(10).build().explain(SparkFixture.input(spark, rows), three);
        assertThat(b.waves()).isEqualTo(2);
        assertSameAsReference(read(three));
    }

    @Test
    void aFailedTaskAttemptIsRetriedAndEachImageIsWrittenOnce() {
        int failedBefore = FAILED_TASKS.get();
        FAIL_FIRST_ATTEMPT.set(true);
        try {
            String out = tmp.resolve("retried").toString();
            SparkRun run = explainer().partitions(2).waveSize(N).build().explain(SparkFixture.input(spark, rows), out);
            assertThat(run.explained()).isEqualTo(N);
            assertThat(FAILED_TASKS.get() - failedBefore).as("failed task attempts").isEqualTo(1);
            assertSameAsReference(read(out));
        } finally {
            FAIL_FIRST_ATTEMPT.set(false);
        }
    }

    @Test
    void anInterruptedRunResumesWithOnlyTheMissingIds() {
        String out = tmp.resolve("resumed").toString();
        // the first wave (8 images: two batches of 4) commits, then every task attempt fails: the second wave is lost
        SparkExplainer interrupted = explainer().partitions(2).waveSize(8).listener(new FailAfterImages(8)).build();
        assertThatThrownBy(() -> interrupted.explain(SparkFixture.input(spark, rows), out)).hasMessageContaining("injected");
        assertThat(read(out)).hasSize(8);

        SparkRun resumed = explainer().partitions(2).waveSize(8).build().explain(SparkFixture.input(spark, rows), out);
        assertThat(resumed.resumed()).isEqualTo(8);
        assertThat(resumed.explained()).isEqualTo(N - 8);
        assertSameAsReference(read(out));

        SparkRun again = explainer().build().explain(SparkFixture.input(spark, rows), out);
        assertThat(again.explained()).isZero();
        assertThat(again.waves()).isZero();
    }

    /** Lets {@code limit} images through (over all tasks), then fails every attempt of every task. */
    static final class FailAfterImages implements PartitionListener {
        static final AtomicBoolean TRIPPED = new AtomicBoolean();
        static final AtomicLong TOTAL = new AtomicLong();
        static final Map<Long, Long> DONE_BY_ATTEMPT = new ConcurrentHashMap<>();
        private final long limit;

        FailAfterImages(long limit) {
            this.limit = limit;
            TOTAL.set(0);
            TRIPPED.set(false);
        }

        @Override public void batchDone(int partition, int attempt, long done, double seconds) {
            long previous = Optional.ofNullable(DONE_BY_ATTEMPT.put(TaskContext.get().taskAttemptId(), done)).orElse(0L);
            if (TRIPPED.get() || TOTAL.addAndGet(done - previous) > limit) {
                TRIPPED.set(true);
                throw new IllegalStateException("injected: interrupted after " + limit + " images");
            }
        }
    }

    @Test
    void otherSettingsOnTheSameFolderAreRefused() {
        String out = tmp.resolve("conflict").toString();
        List<Row> two = rows.subList(0, 2);
        explainer().partitions(1).build().explain(SparkFixture.input(spark, two), out);
        SparkExplainer other = SparkExplainer.builder(ModelBundle.embeddedDefault(), SparkFixture.ACE.with("ACE-l1", 
                SparkFixture.ACE.refinement(), 3)).targets(SparkFixture.CONFUSABLE).build();
        assertThatThrownBy(() -> other.explain(SparkFixture.input(spark, two), out))
                .isInstanceOf(ResultStore.ConflictException.class).hasMessageContaining("other settings");
    }

    @Test
    void badInputGetsATypedError() {
        List<Row> twice = List.of(rows.get(0), RowFactory.create(1000L, rows.get(1).get(1)));
        assertThatThrownBy(() -> explainer().build().explain(SparkFixture.input(spark, twice), tmp.resolve("dup").toString()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("more than once").hasMessageContaining("1000");
        assertThatThrownBy(() -> explainer().build().explain(spark.range(3).toDF("id"), tmp.resolve("cols").toString()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("expected columns id (long), image");
        // found on an executor: the task's typed error reaches the caller, not only Spark's job failure
        byte[] small = ImageRows.png(org.nd4j.linalg.factory.Nd4j.zeros(1, 28, 28));
        List<Row> wrongSize = List.of(RowFactory.create(7L, small));
        assertThatThrownBy(() -> explainer().build().explain(SparkFixture.input(spark, wrongSize), tmp.resolve("size").toString()))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("image of id 7")
                .hasMessageContaining("[N, 1, 32, 32]");
    }
}
