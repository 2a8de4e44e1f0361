package org.acejvm.refine.calibrate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.acejvm.attacks.Targets;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ImageData;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.metrics.ChangeLocality;
import org.acejvm.refine.batch.MethodSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The grid over the l1 distance weight and the PGD step: each point is the whole method ({@link MethodSpec} with that
 * weight and step, attack and refinement) run on the same few images, so the score is that of what the user gets.
 */
public final class AttackGrid {
    private AttackGrid() {}

    /** One {@link GridPoint} per (lambda1, step) of the grid, in grid order; {@code base} gives everything else. */
    public static List<GridPoint> run(DifferentiableClassifier classifier, DiffusionModel diffusion, MethodSpec base,
                                      double[] lambdas, double[] steps, INDArray images, Targets targets,
                                      long[] sampleIds, Consumer<String> log) {
        List<GridPoint> points = new ArrayList<>();
        for (double lambda : lambdas) {
            for (double step : steps) {
                MethodSpec spec = base.withAttack(base.iterations(), step, lambda);
                List<Explanation> out = spec.explainer(classifier, diffusion).explain(images, targets, sampleIds);
                GridPoint p = score(images, out, lambda, step);
                // each point built its own graphs; their off-heap arenas (GBs with a real UNet) are freed only when
                // collected, so let them go before the next point builds its own
                System.gc();
                points.add(p);
                log.accept(String.format(Locale.ROOT, "grid lambda1=%s step=%.5f: %d/%d flipped, mean |change| %.4f",
                        lambda, step, p.flips(), p.images(), p.meanChange()));
            }
        }
        return points;
    }

    /** The measured scores of one grid point's explanations of {@code images}. */
    static GridPoint score(INDArray images, List<Explanation> out, double lambda1, double step) {
        int n = out.size();
        int flips = 0, attackFlips = 0, stuck = 0;
        double change = 0;
        float[] all = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int per = all.length / n;
        for (int i = 0; i < n; i++) {
            Explanation e = out.get(i);
            if (e.success()) flips++;
            if (e.attackSuccess()) attackFlips++;
            float[] original = Arrays.copyOfRange(all, i * per, (i + 1) * per);
            if (AttackDiagnosis.of(original, e, step).isPresent()) stuck++;
            float[] cf = e.explanation().data();
            double sum = 0;
            for (int j = 0; j < per; j++) sum += Math.abs(cf[j] - original[j]);
            change += sum / per;
        }
        INDArray explained = ImageData.stack(out.stream().map(Explanation::explanation).toList());
        ChangeLocality locality = new ChangeLocality();
        locality.add(images, explained);
        double top = locality.topShare().isDefined() ? locality.topShare().value() : Double.NaN;
        return new GridPoint(lambda1, step, n, flips, attackFlips, change / n, top, stuck);
    }
}
