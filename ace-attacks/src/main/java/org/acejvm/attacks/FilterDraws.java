package org.acejvm.attacks;

import java.util.Map;
import org.acejvm.core.Classifier;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.graph.ImageMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One attack iteration's objective, averaged over {@code k} independent noise draws of the image map (an estimate of
 * the expected gradient over the filter's randomness, {@link AttackSettings#filterSamples()}).
 *
 * <p>Draw {@code j} of iteration {@code i} uses the map's call index {@code i * k + j}: every draw of a run has its own
 * noise, and with {@code k = 1} the call index is the iteration, the single forward and backward pass of the
 * reference, with its values passed on untouched. A map without noise (the identity) is evaluated once.
 */
final class FilterDraws {
    private final Objective objective;
    private final ImageMap map;
    private final int draws;
    private final boolean singleLogit;

    FilterDraws(Objective objective, ImageMap map, int draws, boolean singleLogit) {
        this.objective = objective;
        this.map = map;
        this.draws = map.isIdentity() ? 1 : draws;
        this.singleLogit = singleLogit;
    }

    /** The map's call index of draw {@code draw} at {@code iteration}. */
    static long callIndex(int iteration, int draw, int draws) { return (long) iteration * draws + draw; }

    /** The mean over the draws at the current search value (arguments as {@link Objective#evaluate}). */
    Mean evaluate(INDArray search, INDArray original, INDArray start, INDArray target, double classScale,
                  double distanceWeight, long[] sampleIds, int iteration, NoiseSource noise) {
        double[] gradient = null;
        double[] classLoss = null;
        double[][] probabilities = null;
        double loss = 0;
        Objective.Evaluation first = null;
        for (int j = 0; j < draws; j++) {
            Map<String, INDArray> feed = map.noiseFeed(Objective.MAP_CALL, sampleIds, callIndex(iteration, j, draws), noise);
            Objective.Evaluation ev = objective.evaluate(search, original, start, target, classScale, distanceWeight, feed);
            float[][] p = GradientAttack.rows(Classifier.probabilitiesFromLogits(ev.logits(), singleLogit));
            if (draws == 1) return new Mean(ev.gradient(), p, ev.classLoss(), ev.loss());
            if (first == null) {
                first = ev;
                gradient = new double[(int) ev.gradient().length()];
                classLoss = new double[(int) ev.classLoss().length()];
                probabilities = new double[p.length][p.length == 0 ? 0 : p[0].length];
            }
            add(gradient, Floats.of(ev.gradient()));
            add(classLoss, Floats.of(ev.classLoss()));
            for (int r = 0; r < p.length; r++) add(probabilities[r], p[r]);
            loss += ev.loss();
        }
        float[][] meanP = new float[probabilities.length][];
        for (int r = 0; r < meanP.length; r++) meanP[r] = mean(probabilities[r]);
        return new Mean(Floats.create(mean(gradient), first.gradient().shape()), meanP,
                Floats.create(mean(classLoss), first.classLoss().shape()), loss / draws);
    }

    private static void add(double[] sum, float[] v) {
        for (int i = 0; i < sum.length; i++) sum[i] += v[i];
    }

    private float[] mean(double[] sum) {
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) out[i] = (float) (sum[i] / draws);
        return out;
    }

    /**
     * The averaged objective: its gradient, the class probabilities of each active sample (the mean over the draws,
     * what the stop rule and the events read), the per-sample class loss and the total loss.
     */
    record Mean(INDArray gradient, float[][] probabilities, INDArray classLoss, double loss) {}
}
