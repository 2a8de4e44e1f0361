package org.acejvm.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.acejvm.core.Checks;
import org.acejvm.core.Classifier;
import org.acejvm.core.ImageSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Counterfactual transition (COUT, Khorram et al.). For each pair (original x, counterfactual x'),
 * the pixels are ranked by the channel sum of |x' - x| (descending; ties by pixel index; the reference's min-max
 * normalisation does not change the order), and x' is inserted into x in that order, {@code max(1, HW / 50)} pixels
 * (all channels) per step, from the original (x = 0) to the full counterfactual (x = 1). Along the way the
 * classifier's probabilities of the target and the source class are tracked; COUT = AUC(target) - AUC(source) by
 * the trapezoid rule over the normalised x axis, in [-1, 1]. The metric is the mean over samples.
 *
 * <p>The x axis: by default point k sits at {@code min(k * step, HW) / HW}, so the axis is exactly [0, 1] even when
 * HW is not a multiple of the step. The public c3lt code puts it at {@code k * step / HW} (the last point beyond 1
 * in that case); {@link #c3ltAxis(boolean)} reproduces that. Both agree whenever step divides HW.
 *
 * <p>All insertion images of all samples are classified in batches of {@link #batchSize} images. Streaming: add
 * batches of pairs, read {@link #result()} at any time. Not thread-safe.
 */
public final class Cout {
    /** Number of insertion steps the reference aims for: step = max(1, HW / 50). */
    public static final int REFERENCE_STEPS = 50;

    private final Classifier classifier;
    private final int batchSize;
    private final boolean c3ltAxis;
    private final boolean keepCurves;
    private double sum;
    private final List<Double> perSample = new ArrayList<>();
    private final List<Curve> curves = new ArrayList<>();
    private double[] sumTarget;
    private double[] sumSource;
    private double[] axis;

    private Cout(Classifier classifier, int batchSize, boolean c3ltAxis, boolean keepCurves) {
        this.classifier = classifier;
        this.batchSize = batchSize;
        this.c3ltAxis = c3ltAxis;
        this.keepCurves = keepCurves;
    }

    /** COUT for {@code classifier}, 256 images per classifier call, exact [0, 1] axis, per-sample curves kept. */
    public Cout(Classifier classifier) {
        this(checked(classifier), 256, false, true);
    }

    private static Classifier checked(Classifier classifier) {
        Checks.notNull(classifier, "classifier");
        return classifier;
    }

    /** A new, empty COUT with the same settings that classifies {@code batchSize} insertion images per call. */
    public Cout batchSize(int batchSize) {
        Checks.positive(batchSize, "batchSize");
        return new Cout(classifier, batchSize, c3ltAxis, keepCurves);
    }

    /** A new, empty COUT with the same settings that places point k at k * step / HW, as the public c3lt code does. */
    public Cout c3ltAxis(boolean c3ltAxis) {
        return new Cout(classifier, batchSize, c3ltAxis, keepCurves);
    }

    /**
     * A new, empty COUT with the same settings that keeps (or drops, to save memory on large runs) the per-sample
     * curves; the mean curve is always kept.
     */
    public Cout keepCurves(boolean keepCurves) {
        return new Cout(classifier, batchSize, c3ltAxis, keepCurves);
    }

    /** The insertion step for images of {@code spec}: max(1, HW / 50). */
    public static int step(ImageSpec spec) {
        return Math.max(1, spec.height() * spec.width() / REFERENCE_STEPS);
    }

    /** Adds pairs whose source class is the classifier's prediction on the original. */
    public double[] add(INDArray originals, INDArray counterfactuals, int[] targets) {
        Checks.images(originals, classifier.inputSpec(), "originals");
        return add(originals, counterfactuals, classifier.predict(originals), targets);
    }

    /**
     * Adds a batch of pairs with their source and target classes.
     *
     * @return the COUT of each pair of this batch
     */
    public double[] add(INDArray originals, INDArray counterfactuals, int[] sources, int[] targets) {
        ImageSpec spec = classifier.inputSpec();
        Checks.images(originals, spec, "originals");
        Checks.images(counterfactuals, spec, "counterfactuals");
        Metrics.checkSameShape(originals, "originals", counterfactuals, "counterfactuals");
        int n = (int) originals.size(0);
        Checks.notNull(sources, "sources");
        Checks.notNull(targets, "targets");
        Metrics.checkLength(sources.length, "sources", n, "originals");
        Metrics.checkLength(targets.length, "targets", n, "originals");
        Checks.classIndices(sources, classifier.numClasses(), "sources");
        Checks.classIndices(targets, classifier.numClasses(), "targets");

        float[] x = originals.dup('c').data().asFloat();
        float[] xcf = counterfactuals.dup('c').data().asFloat();
        Insertion insertion = new Insertion(spec);
        double[][] probTarget = new double[n][insertion.points];
        double[][] probSource = new double[n][insertion.points];
        classifyAll(insertion, x, xcf, n, sources, targets, probTarget, probSource);

        double[] xs = insertion.axis(c3ltAxis);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = auc(xs, probTarget[i]) - auc(xs, probSource[i]);
            record(xs, probTarget[i], probSource[i], values[i]);
        }
        return values;
    }

    /** Builds every insertion image of every sample and classifies them batchSize at a time. */
    private void classifyAll(Insertion ins, float[] x, float[] xcf, int n, int[] sources, int[] targets,
                             double[][] probTarget, double[][] probSource) {
        int size = ins.size;
        int total = n * ins.points;
        int capacity = Math.min(batchSize, total);
        float[] buffer = new float[capacity * size];
        int[] slotSample = new int[capacity];
        int[] slotPoint = new int[capacity];
        int filled = 0;
        float[] work = new float[size];
        for (int s = 0; s < n; s++) {
            int offset = s * size;
            System.arraycopy(x, offset, work, 0, size);
            int[] order = ins.order(x, xcf, offset);
            for (int k = 0; k < ins.points; k++) {
                if (k > 0) ins.insert(work, xcf, offset, order, k);
                System.arraycopy(work, 0, buffer, filled * size, size);
                slotSample[filled] = s;
                slotPoint[filled] = k;
                filled++;
                if (filled == capacity) {
                    flush(buffer, filled, ins, slotSample, slotPoint, sources, targets, probTarget, probSource);
                    filled = 0;
                }
            }
        }
        if (filled > 0) flush(buffer, filled, ins, slotSample, slotPoint, sources, targets, probTarget, probSource);
    }

    private void flush(float[] buffer, int filled, Insertion ins, int[] slotSample, int[] slotPoint, int[] sources,
                       int[] targets, double[][] probTarget, double[][] probSource) {
        float[] data = filled * ins.size == buffer.length ? buffer : Arrays.copyOf(buffer, filled * ins.size);
        INDArray batch = Nd4j.create(data, classifier.inputSpec().batchShape(filled), 'c');
        INDArray p = classifier.probabilities(batch).castTo(DataType.DOUBLE);
        for (int j = 0; j < filled; j++) {
            int s = slotSample[j];
            probTarget[s][slotPoint[j]] = p.getDouble(j, targets[s]);
            probSource[s][slotPoint[j]] = p.getDouble(j, sources[s]);
        }
    }

    private void record(double[] xs, double[] target, double[] source, double value) {
        sum += value;
        perSample.add(value);
        if (keepCurves) curves.add(new Curve(xs, target, source, value));
        if (sumTarget == null) {
            axis = xs.clone();
            sumTarget = new double[xs.length];
            sumSource = new double[xs.length];
        }
        for (int k = 0; k < xs.length; k++) {
            sumTarget[k] += target[k];
            sumSource[k] += source[k];
        }
    }

    /** The trapezoid rule: the area under y(x) for increasing x. */
    public static double auc(double[] x, double[] y) {
        Checks.sameCount(x.length, "x", y.length, "y");
        double area = 0;
        for (int k = 1; k < x.length; k++) area += 0.5 * (x[k] - x[k - 1]) * (y[k] + y[k - 1]);
        return area;
    }

    /** The mean COUT, per-sample values and curves so far. */
    public Result result() {
        int n = perSample.size();
        MetricValue mean = Metrics.mean(sum, n, "no counterfactuals were evaluated");
        Curve meanCurve = null;
        if (n > 0) {
            double[] t = new double[axis.length];
            double[] s = new double[axis.length];
            for (int k = 0; k < axis.length; k++) {
                t[k] = sumTarget[k] / n;
                s[k] = sumSource[k] / n;
            }
            meanCurve = new Curve(axis.clone(), t, s, auc(axis, t) - auc(axis, s));
        }
        double[] values = perSample.stream().mapToDouble(Double::doubleValue).toArray();
        return new Result(mean, values, Collections.unmodifiableList(new ArrayList<>(curves)), meanCurve);
    }

    /** Shorthand for {@code result().mean()}. */
    public MetricValue value() { return result().mean(); }

    /**
     * The mean COUT (undefined when nothing was added), the value of each pair in order, the per-pair curves (empty
     * when not kept) and the mean curve over all pairs (null when nothing was added; its {@code cout} equals the mean
     * since the AUC is linear).
     */
    public record Result(MetricValue mean, double[] perSample, List<Curve> curves, Curve meanCurve) {}

    /**
     * One insertion curve: x in [0, 1] (fraction of pixels inserted), the target- and source-class probabilities at
     * each x, and their COUT.
     */
    public record Curve(double[] x, double[] target, double[] source, double cout) {}

    /** The insertion schedule of one image size. */
    private static final class Insertion {
        final int channels;
        final int pixels;
        final int size;
        final int step;
        final int points;

        Insertion(ImageSpec spec) {
            channels = spec.channels();
            pixels = spec.height() * spec.width();
            size = channels * pixels;
            step = step(spec);
            points = (pixels + step - 1) / step + 1;
        }

        double[] axis(boolean c3lt) {
            double[] xs = new double[points];
            for (int k = 0; k < points; k++) {
                long inserted = (long) k * step;
                xs[k] = (c3lt ? inserted : Math.min(inserted, pixels)) / (double) pixels;
            }
            return xs;
        }

        /** Pixel indices by descending channel-summed |x' - x| (ties by index), computed in double. */
        int[] order(float[] x, float[] xcf, int offset) {
            double[] d = new double[pixels];
            for (int c = 0; c < channels; c++) {
                int base = offset + c * pixels;
                for (int p = 0; p < pixels; p++) d[p] += Math.abs((double) xcf[base + p] - (double) x[base + p]);
            }
            Integer[] idx = new Integer[pixels];
            for (int p = 0; p < pixels; p++) idx[p] = p;
            Arrays.sort(idx, (a, b) -> {
                int byDiff = Double.compare(d[b], d[a]);
                return byDiff != 0 ? byDiff : Integer.compare(a, b);
            });
            int[] order = new int[pixels];
            for (int p = 0; p < pixels; p++) order[p] = idx[p];
            return order;
        }

        /** Copies the counterfactual's values of the k-th group of pixels (all channels) into {@code work}. */
        void insert(float[] work, float[] xcf, int offset, int[] order, int k) {
            int from = (k - 1) * step;
            int to = Math.min(k * step, pixels);
            for (int i = from; i < to; i++) {
                int p = order[i];
                for (int c = 0; c < channels; c++) work[c * pixels + p] = xcf[offset + c * pixels + p];
            }
        }
    }
}
