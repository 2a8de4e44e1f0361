package org.acejvm.metrics;

import java.util.Arrays;
import org.acejvm.core.Checks;
import org.acejvm.core.Classifier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Oracle agreement: whether counterfactuals that fool the explained classifier also convince an independently
 * trained one (the oracle), i.e. whether they are semantic rather than adversarial. Over the successful
 * counterfactuals (those the explained classifier assigns to their target):
 * <ul>
 *   <li>{@code agreement}: the share the oracle assigns to the target class (its arg-max);</li>
 *   <li>{@code targetProbabilityBefore}: the oracle's mean probability of the target class on the originals;</li>
 *   <li>{@code targetProbabilityAfter}: the same on the counterfactuals.</li>
 * </ul>
 * All three are undefined, with a reason, when no successful counterfactual was added. Unsuccessful pairs are
 * counted ({@link Result#pairs()}) but not classified.
 *
 * <p>The oracle is any {@link Classifier} with the explained images' shape and at least as many classes as the
 * largest target. It classifies at most {@link #batchSize} images per call, so memory stays bounded however many
 * pairs are added at once. Streaming: add batches, read {@link #result()} at any time. Not thread-safe.
 */
public final class OracleAgreement {
    private final Classifier oracle;
    private final int batchSize;
    private long pairs;
    private long succeeded;
    private long agreed;
    private double sumBefore;
    private double sumAfter;

    /** Oracle agreement judged by {@code oracle}, 256 images per oracle call. */
    public OracleAgreement(Classifier oracle) {
        this(checked(oracle), 256);
    }

    private OracleAgreement(Classifier oracle, int batchSize) {
        this.oracle = oracle;
        this.batchSize = batchSize;
    }

    private static Classifier checked(Classifier oracle) {
        Checks.notNull(oracle, "oracle");
        return oracle;
    }

    /** A new, empty OracleAgreement with the same oracle that classifies {@code batchSize} images per call. */
    public OracleAgreement batchSize(int batchSize) {
        Checks.positive(batchSize, "batchSize");
        return new OracleAgreement(oracle, batchSize);
    }

    public Classifier oracle() { return oracle; }

    public int batchSize() { return batchSize; }

    /**
     * Adds a batch of pairs.
     *
     * @param originals       [N, C, H, W] in [0, 1], the oracle's input shape
     * @param counterfactuals the same shape
     * @param targets         N target classes, each in [0, oracle.numClasses())
     * @param successful      N flags: which counterfactuals reached their target on the explained classifier (null:
     *                        all of them)
     * @return for each pair, whether it is successful and the oracle assigns its counterfactual to the target
     */
    public boolean[] add(INDArray originals, INDArray counterfactuals, int[] targets, boolean[] successful) {
        Checks.images(originals, oracle.inputSpec(), "originals");
        Checks.images(counterfactuals, oracle.inputSpec(), "counterfactuals");
        Metrics.checkSameShape(originals, "originals", counterfactuals, "counterfactuals");
        int n = (int) originals.size(0);
        Checks.notNull(targets, "targets");
        Metrics.checkLength(targets.length, "targets", n, "originals");
        Checks.classIndices(targets, oracle.numClasses(), "targets");
        if (successful != null) Metrics.checkLength(successful.length, "successful", n, "originals");
        boolean[] keep = successful != null ? successful : Metrics.all(n);

        int[] rows = Fid.selected(keep);
        boolean[] agrees = new boolean[n];
        for (int from = 0; from < rows.length; from += batchSize) {
            int[] chunk = Arrays.copyOfRange(rows, from, Math.min(rows.length, from + batchSize));
            INDArray before = oracle.probabilities(rowsOf(originals, chunk)).castTo(DataType.DOUBLE);
            INDArray after = oracle.probabilities(rowsOf(counterfactuals, chunk)).castTo(DataType.DOUBLE);
            int[] predicted = after.argMax(1).toIntVector();
            for (int j = 0; j < chunk.length; j++) {
                int i = chunk[j];
                sumBefore += before.getDouble(j, targets[i]);
                sumAfter += after.getDouble(j, targets[i]);
                agrees[i] = predicted[j] == targets[i];
                if (agrees[i]) agreed++;
            }
        }
        succeeded += rows.length;
        pairs += n;
        return agrees;
    }

    /** Adds a batch of pairs that all succeeded on the explained classifier. */
    public boolean[] add(INDArray originals, INDArray counterfactuals, int[] targets) {
        return add(originals, counterfactuals, targets, null);
    }

    /** The selected samples of {@code batch}, in order, as a new [rows.length, C, H, W] array. */
    private static INDArray rowsOf(INDArray batch, int[] rows) {
        long[] shape = batch.shape().clone();
        INDArray flat = batch.reshape('c', shape[0], batch.length() / shape[0]).getRows(rows);
        shape[0] = rows.length;
        return flat.reshape('c', shape);
    }

    /** The three values over the successful pairs added so far. */
    public Result result() {
        String reason = pairs == 0 ? "no counterfactuals were evaluated"
                : "none of the " + pairs + " counterfactuals succeeded on the explained classifier";
        return new Result(Metrics.mean(agreed, succeeded, reason), Metrics.mean(sumBefore, succeeded, reason),
                Metrics.mean(sumAfter, succeeded, reason), succeeded, pairs);
    }

    /** Shorthand for {@code result().agreement()}. */
    public MetricValue value() { return result().agreement(); }

    /** One-shot oracle agreement of a batch of pairs (see {@link #add(INDArray, INDArray, int[], boolean[])}). */
    public static Result of(Classifier oracle, INDArray originals, INDArray counterfactuals, int[] targets,
                            boolean[] successful) {
        OracleAgreement a = new OracleAgreement(oracle);
        a.add(originals, counterfactuals, targets, successful);
        return a.result();
    }

    /**
     * The share of successful counterfactuals the oracle assigns to their target; the oracle's mean target-class
     * probability on their originals and on the counterfactuals (each over {@code count} successful pairs); the
     * number of successful pairs and of all pairs added.
     */
    public record Result(MetricValue agreement, MetricValue targetProbabilityBefore, MetricValue targetProbabilityAfter,
                         long count, long pairs) {}
}
