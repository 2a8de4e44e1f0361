package org.acejvm.refine.calibrate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.acejvm.core.Checks;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.acejvm.diffusion.DdpmFilter;
import org.acejvm.diffusion.DiffusionModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * How deep a filter the classifier tolerates: for each candidate fraction of the respaced steps, the share of images
 * whose class the filter alone keeps, C(F(x)) = C(x). Forward passes only. The attack can only explain through a
 * filter whose output the classifier still reads like the input; the deepest such filter removes the most
 * adversarial noise.
 */
public final class FilterDepth {
    /** The noise of these forward passes: a call index no attack iteration uses. */
    static final long CALL_INDEX = -2;
    private static final String CALL = "depth";

    /** One candidate: its fraction, the filter's steps S, and how many of the images kept their class. */
    public record Row(double fraction, int steps, int kept, int images) {
        public double share() { return images == 0 ? 0 : kept / (double) images; }
    }

    private FilterDepth() {}

    /**
     * The rows in the order of {@code fractions}; fractions with the same S are measured once. Each row is handed to
     * {@code progress} as soon as it is measured.
     */
    public static List<Row> measure(DifferentiableClassifier classifier, DiffusionModel model, INDArray images,
                                    long[] sampleIds, double[] fractions, NoiseSource noise, int batchSize,
                                    Consumer<Row> progress) {
        Checks.notNull(classifier, "classifier");
        Checks.notNull(model, "model");
        Checks.sameCount(sampleIds.length, "sampleIds", images.size(0), "images");
        if (fractions.length == 0) throw new InvalidInputException("fractions: expected at least one");
        int[] before = predict(classifier, images, batchSize);
        Map<Integer, Integer> keptBySteps = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        for (double f : fractions) {
            // step by step: every depth shares the model's one-step graph and holds one UNet call's memory
            DdpmFilter filter = DdpmFilter.ofFraction(model, f, true).withGradientMode(DdpmFilter.GradientMode.RECOMPUTE_PER_STEP);
            int kept = keptBySteps.computeIfAbsent(filter.steps(),
                    s -> countKept(classifier, filter, images, sampleIds, before, noise, batchSize));
            Row row = new Row(f, filter.steps(), kept, before.length);
            progress.accept(row);
            rows.add(row);
        }
        return rows;
    }

    /**
     * The deepest row (most steps) whose share reaches {@code threshold}; when none does, the shallowest row (the
     * caller reports that even it changes the classifier's decision).
     */
    public static Row deepestKept(List<Row> rows, double threshold) {
        Row best = null;
        for (Row r : rows) if (r.share() >= threshold && (best == null || r.steps() > best.steps())) best = r;
        if (best != null) return best;
        Row shallowest = rows.get(0);
        for (Row r : rows) if (r.steps() < shallowest.steps()) shallowest = r;
        return shallowest;
    }

    private static int countKept(DifferentiableClassifier classifier, DdpmFilter filter, INDArray images, long[] ids,
                                 int[] before, NoiseSource noise, int batchSize) {
        int kept = 0;
        for (int from = 0; from < before.length; from += batchSize) {
            int to = Math.min(before.length, from + batchSize);
            INDArray batch = images.get(NDArrayIndex.interval(from, to)).dup();
            Map<String, INDArray> feed = filter.noiseFeed(CALL, java.util.Arrays.copyOfRange(ids, from, to), CALL_INDEX, noise);
            INDArray filtered = filter.separateGradient().orElseThrow().forward(batch, feed, CALL).output();
            int[] after = classifier.predict(filtered);
            for (int i = 0; i < after.length; i++) if (after[i] == before[from + i]) kept++;
        }
        return kept;
    }

    private static int[] predict(DifferentiableClassifier classifier, INDArray images, int batchSize) {
        int n = (int) images.size(0);
        int[] out = new int[n];
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            int[] p = classifier.predict(images.get(NDArrayIndex.interval(from, to)).dup());
            System.arraycopy(p, 0, out, from, p.length);
        }
        return out;
    }
}
