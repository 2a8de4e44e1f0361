package org.acejvm.refine.calibrate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.result.Explanation;
import org.acejvm.attacks.Targets;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.batch.MethodSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where ACE's inpainting starts: the filter's own S (the reference), or one or two respaced steps shallower. The
 * inpainting regenerates the masked region from step S; when the attack's change is small and sparse, regenerating it
 * from as deep as the filter can wash out the evidence for the target (measured on the embedded Fashion-MNIST
 * default: 90.6% of 500 flips from S = 5, 98.0% from 4). Measured here on the grid images: one attack with the chosen
 * grid point, then each candidate start refines the same pre-explanations (refinements are cheap next to the attack).
 * The start with the most flips wins, ties going to the deeper one (more realism).
 */
public final class InpaintingStart {
    private InpaintingStart() {}

    /** The refinement from {@code steps} respaced steps: its flips and mean |x' - x| on the grid images. */
    public record Row(int steps, int images, int flips, double meanChange) {}

    /** Most flips first, then the deeper start. */
    public static final Comparator<Row> BEST_FIRST =
            Comparator.comparingInt(Row::flips).reversed().thenComparing(Comparator.comparingInt(Row::steps).reversed());

    /**
     * The candidate starts S, S - 1, ... down to half of S (rounded up) or {@code S - shallower}, whichever is lower
     * (not below 1; {@code shallower = 0}: S alone), each refining the pre-explanations of one run of {@code spec}'s
     * attack on {@code images}.
     */
    public static List<Row> measure(DifferentiableClassifier classifier, DiffusionModel diffusion, MethodSpec spec,
                                    int filterSteps, int shallower, INDArray images, Targets targets, long[] sampleIds,
                                    Consumer<String> log) {
        Checks.notNull(spec, "spec");
        return measure(classifier, diffusion, spec, filterSteps, shallower, images, attack(classifier, diffusion, spec, images, targets, sampleIds), log);
    }

    /** One run of {@code spec}'s attack on {@code images}: the pre-explanations the candidates refine. */
    static List<Explanation> attack(DifferentiableClassifier classifier, DiffusionModel diffusion, MethodSpec spec,
                                    INDArray images, Targets targets, long[] sampleIds) {
        return spec.attackStage(spec.name() + " attack").explainer(classifier, diffusion).attack(images, targets, sampleIds, null);
    }

    /** The same on given pre-explanations {@code pre} of {@code images}. */
    static List<Row> measure(DifferentiableClassifier classifier, DiffusionModel diffusion, MethodSpec spec,
                             int filterSteps, int shallower, INDArray images, List<Explanation> pre, Consumer<String> log) {
        if (filterSteps < 1) throw new InvalidInputException.Range("filterSteps: expected at least 1, got " + filterSteps);
        if (shallower < 0) throw new InvalidInputException.Range("shallower: expected at least 0, got " + shallower);
        List<Row> rows = new ArrayList<>();
        for (int s : candidates(filterSteps, shallower)) {
            List<Explanation> out = spec.with(spec.name(), Ablation.ACE, s).explainer(classifier, diffusion)
                    .refine(images, pre, null);
            GridPoint scored = AttackGrid.score(images, out, spec.lambda1(), spec.step());
            Row r = new Row(s, scored.images(), scored.flips(), scored.meanChange());
            rows.add(r);
            if (log != null) {
                log.accept(String.format(Locale.ROOT, "inpainting from %d steps: %d/%d flipped, mean |change| %.4f",
                        s, r.flips(), r.images(), r.meanChange()));
            }
            System.gc(); // each refinement built its graphs; free their arenas before the next
        }
        return rows;
    }

    /**
     * The starts tried, deepest first: from S down to half of S (rounded up) and at least {@code shallower} steps
     * below S, not below 1. A deep filter's inpainting may need to start much shallower than it (an outside
     * Fashion-MNIST classifier at S = 10 kept 1-2 of the attack's 5-6 flips of 8).
     */
    static int[] candidates(int filterSteps, int shallower) {
        int lowest = shallower == 0 ? filterSteps : Math.max(1, Math.min(filterSteps - shallower, (filterSteps + 1) / 2));
        int[] out = new int[filterSteps - lowest + 1];
        for (int i = 0; i < out.length; i++) out[i] = filterSteps - i;
        return out;
    }

    /** The best row by {@link #BEST_FIRST}. */
    public static Row best(List<Row> rows) {
        return rows.stream().min(BEST_FIRST).orElseThrow(() -> new InvalidInputException("no inpainting start measured"));
    }
}
