package org.acejvm.metrics;

import org.acejvm.core.Checks;
import org.acejvm.core.Classifier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Flip rate (FR): the share of counterfactuals the classifier assigns to their target class. Streaming: add batches,
 * read {@link #value()} at any time. Not thread-safe.
 */
public final class FlipRate {
    private long flipped;
    private long total;

    /** Adds a batch of predictions on the counterfactuals; returns which of them reached their target. */
    public boolean[] add(int[] predicted, int[] targets) {
        Checks.notNull(predicted, "predicted");
        Checks.notNull(targets, "targets");
        Checks.sameCount(predicted.length, "predicted", targets.length, "targets");
        boolean[] success = new boolean[predicted.length];
        for (int i = 0; i < predicted.length; i++) {
            success[i] = predicted[i] == targets[i];
            if (success[i]) flipped++;
        }
        total += predicted.length;
        return success;
    }

    /** Classifies the counterfactuals and adds them; returns which of them reached their target. */
    public boolean[] add(Classifier classifier, INDArray counterfactuals, int[] targets) {
        Checks.notNull(classifier, "classifier");
        Checks.images(counterfactuals, classifier.inputSpec(), "counterfactuals");
        Checks.notNull(targets, "targets");
        Checks.sameCount(counterfactuals.size(0), "counterfactuals", targets.length, "targets");
        Checks.classIndices(targets, classifier.numClasses(), "targets");
        return add(classifier.predict(counterfactuals), targets);
    }

    public MetricValue value() {
        return Metrics.mean(flipped, total, "no counterfactuals were evaluated");
    }

    public long flipped() { return flipped; }

    public long total() { return total; }

    /** One-shot flip rate of {@code predicted} against {@code targets}. */
    public static MetricValue of(int[] predicted, int[] targets) {
        FlipRate fr = new FlipRate();
        fr.add(predicted, targets);
        return fr.value();
    }
}
