package org.acejvm.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor JVM that exits in the middle of a task: in Spark's local-cluster mode (a master, a worker and executor
 * JVMs of their own on this machine), the first executor halts after its first batch; the worker starts another, the
 * lost tasks run again there, and the output holds each image exactly once.
 */
class ExecutorExitTest {
    @TempDir Path tmp;

    @Test
    void anExecutorThatExitsIsReplacedAndEachImageIsWrittenOnce() throws Exception {
        // local-cluster launches executors with the class path of a Spark distribution; this one has no jars of its
        // own (jars/ is empty), and the executors get the test's class path instead
        Path home = Files.createDirectories(tmp.resolve("spark-home"));
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
        // the worker of local-cluster mode reads spark.test.home only when the JVM property spark.testing is set
        System.setProperty("spark.test.home", home.toString());
        System.setProperty("spark.testing", "true");
        Path marker = tmp.resolve("halted");
        SparkSession spark = SparkSession.builder().master("local-cluster[1,2,3072]").appName("ace-spark-executor-exit")
                .config("spark.executor.memory", "2g")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.warehouse.dir", tmp.resolve("warehouse").toString())
                .config("spark.executor.extraClassPath", classPath())
                .config("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=6G "
                        + "-Dorg.bytedeco.javacpp.maxphysicalbytes=8G")
                .config("spark.executorEnv.OMP_NUM_THREADS", "1")
                .config("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE")
                .getOrCreate();
        try {
            List<Row> rows = SparkFixture.rows(8);
            String out = tmp.resolve("out").toString();
            SparkRun run = SparkExplainer.builder(ModelBundle.embeddedDefault(), SparkFixture.ACE).targets(SparkFixture.CONFUSABLE)
                    .partitions(2).waveSize(8).listener(new HaltOnce(marker.toString())).build()
                    .explain(SparkFixture.input(spark, rows), out);
            assertThat(Files.exists(marker)).as("an executor halted").isTrue();
            assertThat(run.explained()).isEqualTo(8);
            List<Row> written = spark.read().parquet(out).select("id").collectAsList();
            Set<Long> ids = new HashSet<>();
            for (Row r : written) assertThat(ids.add(r.getLong(0))).as("id %s once", r.getLong(0)).isTrue();
            assertThat(ids).hasSize(8);
        } finally {
            spark.stop();
            System.clearProperty("spark.test.home");
            System.clearProperty("spark.testing");
        }
    }

    /** Halts the executor JVM after its first batch, once (a file marks that it happened). */
    record HaltOnce(String marker) implements PartitionListener {
        @Override public void batchDone(int partition, int attempt, long done, double seconds) {
            File f = new File(marker);
            try {
                if (f.createNewFile()) Runtime.getRuntime().halt(42);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** This JVM's class path, whole (surefire passes it in a manifest-only jar). */
    private static String classPath() throws Exception {
        String cp = System.getProperty("java.class.path");
        StringBuilder sb = new StringBuilder();
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.contains("surefirebooter")) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(entry)) {
                    String manifest = jar.getManifest().getMainAttributes().getValue("Class-Path");
                    for (String url : manifest.split(" ")) {
                        if (!url.isBlank()) sb.append(new File(new java.net.URI(url)).getPath()).append(File.pathSeparator);
                    }
                }
            } else {
                sb.append(entry).append(File.pathSeparator);
            }
        }
        return sb.toString();
    }
}
