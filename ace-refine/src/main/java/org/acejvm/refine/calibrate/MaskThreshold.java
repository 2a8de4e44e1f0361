package org.acejvm.refine.calibrate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.acejvm.core.Checks;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.result.Explanation;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.refine.MaskSettings;
import org.acejvm.refine.batch.MethodSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The mask threshold: which share of the attack's change (relative to its largest) the inpainting may keep. The
 * reference's 0.15 suits a sparse change (an l1 weight that holds the attack back); with the l1 weight at 0 an attack
 * moves nearly every pixel, and 0.15 of its largest change masks most of the image (an outside Fashion-MNIST ResNet:
 * 64% of the image at 98% flips). Measured on the grid images: each candidate refines the same pre-explanations; the
 * most flips win, then the smallest mask.
 */
public final class MaskThreshold {
    private MaskThreshold() {}

    /** The refinement with mask threshold {@code threshold}: flips, mean |x' - x| and mean mask area on the grid images. */
    public record Row(double threshold, int images, int flips, double meanChange, double maskArea) {}

    /** Most flips first, then the smallest mask, then the higher threshold. */
    public static final Comparator<Row> BEST_FIRST = Comparator.comparingInt(Row::flips).reversed()
            .thenComparingDouble(Row::maskArea).thenComparing(Comparator.comparingDouble(Row::threshold).reversed());

    /** Each of {@code thresholds} refining the pre-explanations {@code pre} of {@code images} with {@code spec}'s refinement. */
    public static List<Row> measure(DifferentiableClassifier classifier, DiffusionModel diffusion, MethodSpec spec,
                                    double[] thresholds, INDArray images, List<Explanation> pre, Consumer<String> log) {
        Checks.notNull(spec, "spec");
        Checks.notNull(thresholds, "thresholds");
        if (thresholds.length == 0) throw new InvalidInputException("thresholds: expected at least one candidate");
        List<Row> rows = new ArrayList<>();
        for (double t : thresholds) {
            MaskSettings mask = new MaskSettings(spec.mask().dilation(), t);
            List<Explanation> out = spec.withMask(mask).explainer(classifier, diffusion).refine(images, pre, null);
            GridPoint scored = AttackGrid.score(images, out, spec.lambda1(), spec.step());
            double area = 0;
            for (Explanation e : out) area += e.mask().toINDArray().meanNumber().doubleValue() / out.size();
            Row r = new Row(t, scored.images(), scored.flips(), scored.meanChange(), area);
            rows.add(r);
            if (log != null) {
                log.accept(String.format(Locale.ROOT, "mask threshold %s: %d/%d flipped, mask %.1f%% of the image, mean |change| %.4f",
                        t, r.flips(), r.images(), 100 * r.maskArea(), r.meanChange()));
            }
            System.gc(); // each refinement built its graphs; free their arenas before the next
        }
        return rows;
    }

    /** The best row by {@link #BEST_FIRST}. */
    public static Row best(List<Row> rows) {
        return rows.stream().min(BEST_FIRST).orElseThrow(() -> new InvalidInputException("no mask threshold measured"));
    }
}
