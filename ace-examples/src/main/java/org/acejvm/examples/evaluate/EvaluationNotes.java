package org.acejvm.examples.evaluate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import org.acejvm.attacks.ClassLoss;
import org.acejvm.core.Backends;
import org.acejvm.core.result.Explanation;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.models.FashionCnn;
import org.acejvm.metrics.Cout;
import org.acejvm.metrics.FlipRate;
import org.acejvm.metrics.MetricValue;
import org.acejvm.refine.MaskSettings;
import org.acejvm.refine.batch.StoredRun;

/** What {@code ace evaluate}'s table says about how it was made, and its flip-rate-against-lambda part. */
public final class EvaluationNotes {
    private EvaluationNotes() {}

    private static String lossInWords(ClassLoss loss) {
        if (loss instanceof ClassLoss.CrossEntropy) return "cross-entropy loss, as the reference";
        if (loss instanceof ClassLoss.Hinge h && h.averaged()) {
            return "margin loss (the target's logit raised until it leads every other by " + fmt(h.kappa()) + ")";
        }
        if (loss instanceof ClassLoss.TargetLogit) return "target-logit loss";
        return loss.key() + " loss";
    }

    /** The header notes: images, seed, targets, feature network, metric definitions and every setting. */
    public static void add(EvaluationTable table, int n, long seed, String preset, int steps, double stepSize,
                           double lambda, double lambdaL2, Double stopMargin, Integer inpaintSteps, int batchSize,
                           DiffusionModel diffusion, double fraction, int filterSamples, ClassLoss classLoss,
                           MaskSettings mask) {
        int s = diffusion.spacedSchedule().stepsForFraction(fraction);
        table.note("images", n + " correctly classified Fashion-MNIST test images (the first of the test set shuffled "
                        + "with the seed), explained once each")
                .note("seed", seed)
                .note("preset", preset + " (--preset; options given explicitly change it)")
                .note("targets", "each image's most confusable class (T-shirt/top <-> Shirt, Trouser -> Dress, Pullover "
                        + "<-> Coat, Dress -> T-shirt/top, Sandal <-> Sneaker, Bag -> Shirt, Ankle boot -> Sneaker)")
                .note("feature network", "penultimate layer of the shipped classifier fmnist-cnn (fc1 after ReLU, "
                        + FashionCnn.PENULTIMATE_SIZE + " values), for FID, sFID and S3; not Inception-v3 and not "
                        + "SimSiam, so FID/sFID/S3 are not comparable with published values")
                .note("metrics", "FR over all explanations; FID, sFID (" + MethodMetrics.SFID_SPLITS + " seeded splits), "
                        + "S3 (mean cosine similarity of the feature vectors of original and counterfactual) and mean "
                        + "l1 (mean |x - x'| per pixel, images in [0, 1]) over the successful explanations only; COUT "
                        + "over all pairs (insertion in " + Cout.REFERENCE_STEPS + " steps)")
                .note("attack", "PGD with the " + lossInWords(classLoss) + " (--loss " + classLoss.key() + "), " + steps + " iterations, step " + stepInWords(stepSize) + ", eps 1; l1 weight "
                        + fmt(lambda) + " (ACE-l1, Pre-CE, F-CE, FR-CE, plain-PGD), l2 weight " + fmt(lambdaL2)
                        + " (ACE-l2)" + (stopMargin == null ? ", no early stop" : ", each image stops once the target leads by "
                        + fmt(stopMargin) + " (--stop-margin)")
                        + (filterSamples == 1 ? "" : "; each iteration averages the gradient over " + filterSamples
                        + " noise draws of the filter (--filter-samples)"))
                .note("diffusion", "embedded Fashion-MNIST DDPM, T=" + EmbeddedDefault.TIMESTEPS + ", respacing "
                        + EmbeddedDefault.RESPACING + ", fraction " + fraction + " (S=" + s + " filter steps); F-CE refines with "
                        + "the un-respaced filter (S=" + (int) (fraction * EmbeddedDefault.TIMESTEPS)
                        + " steps); plain-PGD attacks the classifier without the filter and does not refine")
                .note("mask", "dilation " + mask.dilation() + ", threshold " + mask.threshold()
                        + " (ACE-l1, ACE-l2 inpainting)")
                .note("inpainting", "ACE-l1 and ACE-l2 inpaint from " + (inpaintSteps == null ? s : inpaintSteps)
                        + " of the " + diffusion.numSteps() + " respaced steps (--inpaint-steps; the filter the attack "
                        + "sees has S=" + s + ")")
                .note("time/image", "wall-clock seconds per image, batch " + batchSize + ", graph building included; "
                        + "Pre-CE, FR-CE, F-CE and ACE-l1 share one attack run, whose time counts in full for each; "
                        + "a refined method's time is its attack's plus its refinement's")
                .note("backend", Backends.describe() + ", OMP_NUM_THREADS=" + System.getenv().getOrDefault("OMP_NUM_THREADS", "unset")
                        + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
    }

    /**
     * ACE-l1 at each lambda on the first {@code m} images: the flip-rate table and chart. The main run's ACE-l1
     * explanations serve for its own lambda ({@code mainLambda}) when they cover those images; {@code runAt} runs the
     * others.
     */
    public static void lambdaSweep(EvaluationTable table, double[] lambdas, double mainLambda, StoredRun main,
                                   DoubleFunction<StoredRun> runAt, int m, Path chart) {
        List<EvaluationTable.LambdaRow> rows = new ArrayList<>();
        double[] fr = new double[lambdas.length];
        double[] preFr = new double[lambdas.length];
        boolean reused = false;
        for (int k = 0; k < lambdas.length; k++) {
            List<Explanation> list;
            MetricValue time;
            if (lambdas[k] == mainLambda && main != null && main.explanations().size() >= m) {
                // the same images (a prefix of the main selection), seed and settings: the main run's results
                list = main.explanations().subList(0, m);
                time = MetricValue.of(main.secondsPerExplanation(), m);
                reused = true;
            } else {
                StoredRun r = runAt.apply(lambdas[k]);
                list = r.explanations();
                time = MetricValue.of(r.nanos() / 1e9 / m, m);
            }
            int[] targetClasses = list.stream().mapToInt(Explanation::target).toArray();
            MetricValue f = FlipRate.of(list.stream().mapToInt(e -> e.after().predicted()).toArray(), targetClasses);
            MetricValue pf = FlipRate.of(list.stream().mapToInt(e -> e.afterAttack().predicted()).toArray(), targetClasses);
            fr[k] = f.value();
            preFr[k] = pf.value();
            rows.add(new EvaluationTable.LambdaRow(lambdas[k], m, f, pf, time));
        }
        table.lambdaRows("Flip rate against lambda (ACE-l1, the first " + m + " images"
                + (reused ? "; lambda " + fmt(mainLambda) + " taken from the main ACE-l1 run" : "") + ")", rows);
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("ACE-l1 explanations", fr);
        series.put("pre-explanations (attack only)", preFr);
        EvaluationPlots.flipRateVsLambda(lambdas, series, "ACE-l1, " + m + (m == 1 ? " image" : " images"), chart);
    }

    /** k/255 when the step is one, else the number. */
    public static String stepInWords(double step) {
        double k = step * 255;
        return Math.abs(k - Math.rint(k)) < 1e-9 ? (long) Math.rint(k) + "/255" : fmt(step);
    }

    /** A number as written on the command line: 0.001, not 0.00100000. */
    public static String fmt(double v) { return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString(); }
}
