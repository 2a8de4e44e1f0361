package org.acejvm.refine.calibrate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.acejvm.attacks.Targets;
import org.acejvm.core.Checks;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.NoiseSource;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.MaskSettings;
import org.acejvm.refine.batch.MethodSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ACE's settings for one's own classifier and diffusion model, as the ACE authors advise: the deepest filter at
 * which the filter alone keeps the classifier's decision on held-out images ({@link FilterDepth}), the mask dilation
 * scaled to the image ({@link MaskDilation}), then a grid over the l1 weight and the step scored by flip rate, mean
 * change and how concentrated the change is ({@link AttackGrid}), where the inpainting starts
 * ({@link InpaintingStart}) and the mask threshold ({@link MaskThreshold}). Returns the chosen {@link MethodSpec} with a
 * {@link CalibrationReport} of everything measured.
 */
public final class Calibration {
    private Calibration() {}

    /**
     * Calibrates on {@code images} (held out, NCHW in [0, 1]) with targets {@code targets}; sample ids 0..N-1 key the
     * noise. The depth uses every image, the grid the first {@link CalibrationPlan#gridImages()}.
     */
    public static CalibrationReport run(DifferentiableClassifier classifier, DiffusionModel diffusion, INDArray images,
                                        Targets targets, CalibrationPlan plan, Consumer<String> log) {
        Checks.notNull(classifier, "classifier");
        Checks.notNull(diffusion, "diffusion");
        Checks.notNull(targets, "targets");
        Checks.notNull(plan, "plan");
        Checks.images(images, classifier.inputSpec(), "images");
        Consumer<String> out = log == null ? s -> { } : log;
        int n = (int) images.size(0);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = i;

        List<FilterDepth.Row> depth = FilterDepth.measure(classifier, diffusion, images, ids, plan.fractions(),
                NoiseSource.seeded(plan.seed()), plan.batchSize(), r -> out.accept(String.format(Locale.ROOT,
                        "depth fraction %s (S=%d): %d/%d keep their class", r.fraction(), r.steps(), r.kept(), r.images())));
        FilterDepth.Row chosen = FilterDepth.deepestKept(depth, plan.agreement());
        List<String> notes = new ArrayList<>();
        if (chosen.share() < plan.agreement()) {
            notes.add(String.format(Locale.ROOT, "no candidate filter keeps the class of %.0f%% of the images; the "
                    + "shallowest (fraction %s, %.1f%%) was taken: try smaller fractions", plan.agreement() * 100,
                    chosen.fraction(), chosen.share() * 100));
        }

        ImageSpec spec = classifier.inputSpec();
        int side = (int) Math.max(spec.height(), spec.width());
        int dilation = MaskDilation.forSide(side, plan.dilationShare());
        MethodSpec base = new MethodSpec(plan.name(), "pgd", 0, plan.gridIterations(), plan.steps()[0],
                plan.lambdas()[0], 0, null, chosen.fraction(), Ablation.ACE,
                new MaskSettings(dilation, plan.maskThreshold()), 0, plan.seed(), plan.batchSize());

        int g = Math.min(plan.gridImages(), n);
        INDArray gridImages = images.get(NDArrayIndex.interval(0, g)).dup();
        List<GridPoint> grid = AttackGrid.run(classifier, diffusion, base, plan.lambdas(), plan.steps(), gridImages,
                targets.slice(0, g), Arrays.copyOf(ids, g), out);
        GridPoint best = grid.stream().min(GridPoint.BEST_FIRST).orElseThrow();
        for (GridPoint p : grid) {
            if (p.stuck() == p.images()) {
                notes.add(String.format(Locale.ROOT, "lambda1 %s, step %.1f/255: no attack moved or raised the "
                        + "target's probability (%s; the grid's other points show which weights move)", p.lambda1(),
                        p.step() * 255, AttackDiagnosis.CAUSE));
            }
        }
        if (best.flips() == 0) {
            notes.add("no grid point flipped any image: more iterations, a larger step or a shallower filter may help");
        }
        // one attack of the chosen point with the returned method's iterations (the grid's few iterations rank the
        // points cheaply, but their weaker changes need other refinement settings than the attack a user will run:
        // on an outside ResNet, threshold 0.5 kept 4 of 8 grid flips at 20 iterations and 48 of 50 at 50); the
        // inpainting start, then the mask threshold, each refine it
        MethodSpec point = base.withAttack(plan.iterations(), best.step(), best.lambda1());
        List<org.acejvm.core.result.Explanation> pre = InpaintingStart.attack(classifier, diffusion, point, gridImages,
                targets.slice(0, g), Arrays.copyOf(ids, g));
        List<InpaintingStart.Row> starts = InpaintingStart.measure(classifier, diffusion, point, chosen.steps(),
                plan.inpaintShallower(), gridImages, pre, out);
        InpaintingStart.Row start = InpaintingStart.best(starts);
        int inpaint = start.steps() == chosen.steps() ? 0 : start.steps();
        List<MaskThreshold.Row> thresholds = MaskThreshold.measure(classifier, diffusion,
                point.with(plan.name(), Ablation.ACE, inpaint), plan.maskThresholds(), gridImages, pre, out);
        MaskThreshold.Row threshold = MaskThreshold.best(thresholds, plan.maxMaskArea());
        if (!MaskThreshold.withinArea(threshold, plan.maxMaskArea())) {
            notes.add(String.format(Locale.ROOT, "no mask threshold kept the mask within %.0f%% of the image on the "
                    + "grid images (smallest: %.1f%% at %s): the attack's change is spread; a larger l1 weight that "
                    + "still flips, or a higher threshold, may help", 100 * plan.maxMaskArea(), 100 * threshold.maskArea(),
                    threshold.threshold()));
        }
        MethodSpec result = base.withAttack(plan.iterations(), best.step(), best.lambda1())
                .with(plan.name(), Ablation.ACE, inpaint).withMask(new MaskSettings(dilation, threshold.threshold()));
        return new CalibrationReport(result, plan, depth, chosen, side, dilation, grid, best, starts, start, thresholds,
                threshold, notes);
    }
}
