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
 * 64% of the image at 98% flips). Measured on the grid images, each candidate refining the same pre-explanations,
 * and chosen by {@link #best}: among the thresholds whose mask stays within a readable area, the most flips, then
 * the lowest threshold; when none does, the smallest mask that loses at most one flip.
 */
public final class MaskThreshold {
    private MaskThreshold() {}

    /**
     * The default readable mask: at most 35% of the image. A mask over a third of the image says little about where
     * the change is (the ResNet's 0.35 threshold gave 47% at 96% flips; 0.5 gave 33% at the same flips).
     */
    public static final double DEFAULT_MAX_AREA = 0.35;

    /** The refinement with mask threshold {@code threshold}: flips, mean |x' - x| and mean mask area on the grid images. */
    public record Row(double threshold, int images, int flips, double meanChange, double maskArea) {}

    /**
     * Most flips first, then the lower threshold. Why the lower: a tie on a few grid images is not a tie on the
     * images a user explains, and the lower threshold keeps more of the attack's change (on the outside cnn-gap, 0.15
     * and 0.25 both flipped 8 of 8 grid images; on 50 test images 0.25 lost 3 flips more).
     */
    public static final Comparator<Row> BEST_FIRST = Comparator.comparingInt(Row::flips).reversed()
            .thenComparingDouble(Row::threshold);

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

    /**
     * The chosen row: among the rows whose mask area is at most {@code maxArea}, the best by {@link #BEST_FIRST};
     * when no row is within it, the smallest mask among the rows with at most one flip fewer than the most.
     */
    public static Row best(List<Row> rows, double maxArea) {
        if (rows.isEmpty()) throw new InvalidInputException("no mask threshold measured");
        List<Row> readable = rows.stream().filter(r -> r.maskArea() <= maxArea).toList();
        if (!readable.isEmpty()) return readable.stream().min(BEST_FIRST).orElseThrow();
        int most = rows.stream().mapToInt(Row::flips).max().orElseThrow();
        return rows.stream().filter(r -> r.flips() >= most - 1)
                .min(Comparator.comparingDouble(Row::maskArea).thenComparing(BEST_FIRST)).orElseThrow();
    }

    /** Whether {@link #best} found a row within {@code maxArea}. */
    public static boolean withinArea(Row chosen, double maxArea) { return chosen.maskArea() <= maxArea; }
}
