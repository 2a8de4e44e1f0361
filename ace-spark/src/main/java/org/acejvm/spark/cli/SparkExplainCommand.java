package org.acejvm.spark.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.acejvm.core.AceException;
import org.acejvm.core.InvalidInputException;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.examples.evaluate.EvaluationMethod;
import org.acejvm.metrics.MetricValue;
import org.acejvm.refine.batch.MethodSpec;
import org.acejvm.spark.ImageRows;
import org.acejvm.spark.ModelBundle;
import org.acejvm.spark.SparkEvaluation;
import org.acejvm.spark.SparkExplainer;
import org.acejvm.spark.SparkRun;
import org.acejvm.spark.TargetRule;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ace spark-explain}: explains a folder of images, a Parquet table or Fashion-MNIST test images on Spark with
 * the embedded default or the user's ONNX models, appending Parquet rows to the output folder (rerun to resume), and
 * optionally evaluates them there.
 */
@Command(name = "spark-explain", mixinStandardHelpOptions = true,
        description = "Explain images on Apache Spark (local or a cluster); results as Parquet in --out, resumable.")
public final class SparkExplainCommand implements Callable<Integer> {
    @Option(names = "--master", description = "Spark master, e.g. local[2] (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--input", description = "A folder of PNG/JPEG files (searched recursively; id = a hash of the path), "
            + "or Parquet with columns id, image (bytes) or path, optionally target. Default: Fashion-MNIST test images.")
    String input;

    @Option(names = "--fashion-mnist", defaultValue = "64",
            description = "Without --input: the first N Fashion-MNIST test images, id = index (default: ${DEFAULT-VALUE}).")
    int fashionMnist;

    @Option(names = "--out", required = true, description = "Output folder (Parquet); an existing one is resumed.")
    String out;

    @Option(names = "--method", defaultValue = "ACE-l1", description = "ACE-l1, ACE-l2, Pre-CE or plain-PGD (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--settings", description = "A method file (key=value lines, as `ace calibrate` writes) instead of --method.")
    Path settings;

    @Option(names = "--iterations", defaultValue = "" + EmbeddedDefault.ITERATIONS,
            description = "Attack iterations (default: ${DEFAULT-VALUE}, the embedded default's).")
    int iterations;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of all noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "8", description = "Images per batch on an executor thread (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--target", description = "Target class of every image (default: the embedded default's most "
            + "confusable class; with your own classifier: untargeted).")
    Integer target;

    @Option(names = "--partitions", description = "Partitions per wave (default: Spark's default parallelism).")
    Integer partitions;

    @Option(names = "--wave", defaultValue = "256", description = "Images per committed wave (default: ${DEFAULT-VALUE}).")
    int wave;

    @Option(names = "--classifier", description = "Your classifier as ONNX (default: the embedded one).")
    Path classifier;

    @Option(names = "--diffusion", description = "Your diffusion UNet as ONNX (with --classifier).")
    Path diffusion;

    @Option(names = "--timesteps", defaultValue = "500", description = "T of --diffusion (default: ${DEFAULT-VALUE}).")
    int timesteps;

    @Option(names = "--respacing", defaultValue = "50", description = "Respacing of --diffusion (default: ${DEFAULT-VALUE}).")
    String respacing;

    @Option(names = "--evaluate", description = "Afterwards, evaluate all results in --out on the cluster (flip rate, oracle agreement, FID, sFID).")
    boolean evaluate;

    @Override
    public Integer call() throws IOException {
        if (diffusion != null && classifier == null) {
            throw new InvalidInputException("--diffusion needs --classifier (the embedded diffusion model goes with the embedded classifier)");
        }
        SparkSession.Builder b = SparkSession.builder().appName("ace spark-explain");
        if (master != null) b.master(master);
        else if (System.getProperty("spark.master") == null) b.master("local[*]");
        SparkSession spark = b.getOrCreate();
        try {
            ModelBundle models = models();
            MethodSpec spec = spec();
            TargetRule rule = target != null ? TargetRule.of(target)
                    : classifier == null ? TargetRule.table(FashionMnist.confusableTable()) : TargetRule.untargeted();
            Dataset<Row> in = input(spark);
            SparkExplainer.Builder e = SparkExplainer.builder(models, spec).targets(rule).waveSize(wave);
            if (partitions != null) e.partitions(partitions);
            SparkRun run = e.build().explain(in, out);
            System.out.printf(Locale.ROOT, "%s: %d images, %d resumed from %s, %d explained in %d waves, %.1f s (%.2f images/min)%n",
                    spec.name(), run.requested(), run.resumed(), out, run.explained(), run.waves(), run.seconds(), run.imagesPerMinute());
            if (evaluate) {
                SparkEvaluation.Result r = SparkEvaluation.evaluate(spark.read().parquet(out), in, models, 10, seed);
                System.out.printf(Locale.ROOT, "flip rate %s; oracle agreement %s (oracle p(target) %s -> %s); FID %s; sFID %s%n",
                        show(r.flipRate()), show(r.oracle().agreement()), show(r.oracle().targetProbabilityBefore()),
                        show(r.oracle().targetProbabilityAfter()), show(r.fid()), show(r.sfid()));
            }
            return 0;
        } finally {
            spark.stop();
        }
    }

    private static String show(MetricValue v) {
        return v.isDefined() ? String.format(Locale.ROOT, "%.4f (n=%d)", v.value(), v.count()) : "undefined (" + v.reason().orElse("") + ")";
    }

    private ModelBundle models() throws IOException {
        if (classifier == null) return ModelBundle.embeddedDefault();
        return ModelBundle.onnx(Files.readAllBytes(classifier), diffusion == null ? null : Files.readAllBytes(diffusion))
                .schedule(timesteps, respacing);
    }

    private MethodSpec spec() throws IOException {
        if (settings != null) return MethodSpec.parse(Files.readString(settings)).withBatchSize(batchSize);
        EvaluationMethod m = EvaluationMethod.parse(method);
        return m.spec(new EvaluationMethod.Common(iterations, EmbeddedDefault.ATTACK_STEP, null, 0.001, 0.001,
                EmbeddedDefault.FRACTION, EmbeddedDefault.MASK, EmbeddedDefault.INPAINT_STEPS, seed, batchSize,
                EmbeddedDefault.FILTER_SAMPLES, EmbeddedDefault.CLASS_LOSS));
    }

    private Dataset<Row> input(SparkSession spark) {
        if (input == null) {
            INDArray x = FashionMnist.load(FashionMnist.Split.TEST, fashionMnist).images();
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < fashionMnist; i++) rows.add(RowFactory.create((long) i, ImageRows.png(x.get(NDArrayIndex.point(i)))));
            return spark.createDataFrame(rows, ImageRows.schema(false));
        }
        boolean parquet = input.endsWith(".parquet") || (Files.isDirectory(Path.of(input)) && hasParquet(Path.of(input)));
        if (parquet) return spark.read().parquet(input);
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "*.{png,PNG,jpg,JPG,jpeg,JPEG}").load(input);
        // the id keys the noise: a hash of the path keeps each file's explanation when files are added or removed
        return files.select(xxhash64(col("path")).as(ImageRows.ID), col("path").as("file"), col("content").as(ImageRows.IMAGE));
    }

    private static boolean hasParquet(Path dir) {
        try (var s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".parquet"));
        } catch (IOException e) {
            return false;
        }
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new SparkExplainCommand());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof AceException || ex instanceof IllegalArgumentException) {
                System.err.println("ace spark-explain: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        System.exit(cl.execute(args));
    }
}
