package org.acejvm.refine.batch;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.acejvm.attacks.Attack;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.ClassLoss;
import org.acejvm.attacks.DistanceSchedule;
import org.acejvm.attacks.StopRule;
import org.acejvm.core.Checks;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.InvalidInputException;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.MaskSettings;

/**
 * A method as data: everything that decides its explanations apart from the models (attack, its settings, the filter,
 * the refinement, the seed), as a record that writes itself as {@code key=value} lines and reads them back. A batch
 * run records it next to its results (so a resumed run refuses to mix settings), and a cluster run ships it to its
 * workers as text; {@link #explainer} turns it into an {@link Explainer} on the loaded models.
 *
 * @param name         the label stored in each explanation ("ACE-l1", "Pre-CE", "plain-PGD", ...)
 * @param attack       pgd, gd, cw or fgsm
 * @param kappa        C&amp;W confidence (cw only)
 * @param iterations   attack iterations
 * @param step         attack step
 * @param lambda1      l1 distance weight
 * @param lambda2      l2 distance weight
 * @param stopMargin   early stop once the target leads by this margin; null: no early stop
 * @param fraction     the diffusion filter's fraction of the respaced steps; 0: no filter (a plain attack)
 * @param refinement   the refinement ({@link Ablation}); must be PRE_CE without a filter
 * @param mask         mask settings
 * @param inpaintSteps the inpainting start in respaced steps; 0: the filter's S
 * @param seed         seed of all noise
 * @param batchSize    images per batch (memory only: results do not depend on it, so it is not part of {@link #attackKey})
 * @param filterSamples noise draws of the filter whose gradients each attack iteration averages (1: the reference)
 * @param classLoss    the class term of pgd and gd ({@link ClassLoss#parse}: ce, the reference's, margin:KAPPA, logit
 *                     or probability); cw keeps its hinge and fgsm cross-entropy
 */
public record MethodSpec(String name, String attack, double kappa, int iterations, double step, double lambda1,
                         double lambda2, Double stopMargin, double fraction, Ablation refinement, MaskSettings mask,
                         int inpaintSteps, long seed, int batchSize, int filterSamples, ClassLoss classLoss) {

    /** A method with the reference's cross-entropy. */
    public MethodSpec(String name, String attack, double kappa, int iterations, double step, double lambda1,
                      double lambda2, Double stopMargin, double fraction, Ablation refinement, MaskSettings mask,
                      int inpaintSteps, long seed, int batchSize, int filterSamples) {
        this(name, attack, kappa, iterations, step, lambda1, lambda2, stopMargin, fraction, refinement, mask, inpaintSteps,
                seed, batchSize, filterSamples, new ClassLoss.CrossEntropy());
    }

    /** A method with one filter draw per iteration, as the reference. */
    public MethodSpec(String name, String attack, double kappa, int iterations, double step, double lambda1,
                      double lambda2, Double stopMargin, double fraction, Ablation refinement, MaskSettings mask,
                      int inpaintSteps, long seed, int batchSize) {
        this(name, attack, kappa, iterations, step, lambda1, lambda2, stopMargin, fraction, refinement, mask, inpaintSteps,
                seed, batchSize, 1);
    }

    public MethodSpec {
        Checks.notNull(name, "name");
        Checks.notNull(refinement, "refinement");
        Checks.notNull(mask, "mask");
        Checks.notNull(classLoss, "classLoss");
        attack = attack.toLowerCase(Locale.ROOT);
        if (!attack.matches("pgd|gd|cw|fgsm")) {
            throw new InvalidInputException("attack: expected pgd, gd, cw or fgsm, got '" + attack + "'");
        }
        if (fraction == 0 && refinement != Ablation.PRE_CE) {
            throw new InvalidInputException(name + ": " + refinement.label() + " needs the diffusion filter (fraction > 0)");
        }
        if (fraction < 0 || inpaintSteps < 0 || batchSize < 1 || filterSamples < 1) {
            throw new InvalidInputException.Range(name + ": expected fraction >= 0, inpaintSteps >= 0, batchSize >= 1, "
                    + "filterSamples >= 1");
        }
        // validated here so that a bad spec fails when it is made, not on a worker
        settingsOf(iterations, step, lambda1, lambda2, stopMargin, filterSamples);
    }

    /** Whether the attack runs through the diffusion filter. */
    public boolean filtered() { return fraction > 0; }

    /** The attack's settings. */
    public AttackSettings attackSettings() {
        return settingsOf(iterations, step, lambda1, lambda2, stopMargin, filterSamples);
    }

    /**
     * Attack settings from the values a method or a command line names (no distance schedule; early stop at
     * {@code stopMargin}, null: never), the reference values for everything else.
     */
    public static AttackSettings settingsOf(int iterations, double step, double lambda1, double lambda2, Double stopMargin,
                                            int filterSamples) {
        return AttackSettings.builder().iterations(iterations).step(step).lambda1(lambda1).lambda2(lambda2)
                .schedule(DistanceSchedule.NONE)
                .stopRule(stopMargin == null ? StopRule.never() : StopRule.targetReached(stopMargin))
                .filterSamples(filterSamples).build();
    }

    /** The attack itself. */
    public Attack attackAlgorithm() {
        AttackSettings s = attackSettings();
        return switch (attack) {
            case "pgd" -> Attacks.pgd(s, classLoss);
            case "gd" -> Attacks.gd(s, classLoss);
            case "cw" -> Attacks.cw(kappa, s);
            case "fgsm" -> Attacks.fgsm(step);
            default -> throw new IllegalStateException(attack);
        };
    }

    /** This method with another name, refinement or inpainting start. */
    public MethodSpec with(String newName, Ablation newRefinement, int newInpaintSteps) {
        return new MethodSpec(newName, attack, kappa, iterations, step, lambda1, lambda2, stopMargin, fraction,
                newRefinement, mask, newInpaintSteps, seed, batchSize, filterSamples, classLoss);
    }

    /** The Pre-CE form of this method (its attack alone), named {@code stageName}: what refinements start from. */
    public MethodSpec attackStage(String stageName) { return with(stageName, Ablation.PRE_CE, 0); }

    /** This method with other distance weights (a lambda sweep). */
    public MethodSpec withLambdas(String newName, double l1, double l2) {
        return new MethodSpec(newName, attack, kappa, iterations, step, l1, l2, stopMargin, fraction, refinement, mask,
                inpaintSteps, seed, batchSize, filterSamples, classLoss);
    }

    /** This method with another number of iterations, step and l1 weight (a calibration grid point). */
    public MethodSpec withAttack(int newIterations, double newStep, double newLambda1) {
        return new MethodSpec(name, attack, kappa, newIterations, newStep, newLambda1, lambda2, stopMargin, fraction,
                refinement, mask, inpaintSteps, seed, batchSize, filterSamples, classLoss);
    }

    /** This method with other mask settings. */
    public MethodSpec withMask(MaskSettings newMask) {
        return new MethodSpec(name, attack, kappa, iterations, step, lambda1, lambda2, stopMargin, fraction, refinement,
                newMask, inpaintSteps, seed, batchSize, filterSamples, classLoss);
    }

    /** This method with another batch size (memory only: the results do not depend on it). */
    public MethodSpec withBatchSize(int newBatchSize) {
        return new MethodSpec(name, attack, kappa, iterations, step, lambda1, lambda2, stopMargin, fraction, refinement,
                mask, inpaintSteps, seed, newBatchSize, filterSamples, classLoss);
    }

    /** This method averaging each attack gradient over {@code k} filter draws. */
    public MethodSpec withFilterSamples(int k) {
        return new MethodSpec(name, attack, kappa, iterations, step, lambda1, lambda2, stopMargin, fraction, refinement,
                mask, inpaintSteps, seed, batchSize, k, classLoss);
    }

    /** The explainer of this method on the loaded models ({@code diffusion} may be null for an unfiltered method). */
    public Explainer explainer(DifferentiableClassifier classifier, DiffusionModel diffusion) {
        Explainer.Builder b = Explainer.builder(classifier).attack(attackAlgorithm()).mask(mask).seed(seed)
                .batchSize(batchSize).method(name).ablation(refinement);
        if (filtered()) {
            if (diffusion == null) throw new InvalidInputException(name + " runs through the diffusion filter: give a diffusion model");
            b.diffusion(diffusion, fraction);
            if (inpaintSteps > 0) b.inpaintingSteps(inpaintSteps);
        }
        return b.build();
    }

    /** What decides the attack's result (two methods with the same key can share one attack run). */
    public String attackKey() {
        Map<String, String> m = fields();
        m.keySet().retainAll(java.util.List.of("attack", "kappa", "iterations", "step", "lambda1", "lambda2",
                "stop-margin", "fraction", "seed", "filter-samples", "loss"));
        return text(m);
    }

    /** What decides a refinement beyond its attack (recorded next to a stored refinement). */
    public String refinementKey() {
        Map<String, String> m = fields();
        m.keySet().retainAll(java.util.List.of("refinement", "fraction", "mask", "inpaint-steps"));
        return text(m);
    }

    /**
     * What a stored attack stage records: {@link #toText()} without the mask, which the attack does not depend on (each
     * run makes the masks of the stored attacks again with its own settings), so that a run with another mask keeps
     * the stored attacks.
     */
    public String attackStageText() { return withoutMask(toText()); }

    /** {@code text} without its {@code mask=} line: how a stored attack's recorded settings are compared. */
    public static String withoutMask(String text) { return text.replaceAll("(?m)^mask=[^\n]*\n", ""); }

    /** The specification as {@code key=value} lines (batch size excluded: results do not depend on it). */
    public String toText() {
        Map<String, String> m = fields();
        m.remove("batch-size");
        return text(m);
    }

    /** All fields as {@code key=value} lines, batch size included: what a worker needs to rebuild it. */
    public String toFullText() { return text(fields()); }

    /** Reads {@link #toFullText()}. */
    public static MethodSpec parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            int eq = line.indexOf('=');
            if (eq < 1) throw new InvalidInputException("method specification: expected key=value, got '" + line + "'");
            m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        try {
            String[] mask = need(m, "mask").split(",");
            String stop = need(m, "stop-margin");
            return new MethodSpec(need(m, "name"), need(m, "attack"), Double.parseDouble(need(m, "kappa")),
                    Integer.parseInt(need(m, "iterations")), Double.parseDouble(need(m, "step")),
                    Double.parseDouble(need(m, "lambda1")), Double.parseDouble(need(m, "lambda2")),
                    stop.equals("none") ? null : Double.valueOf(stop), Double.parseDouble(need(m, "fraction")),
                    ablation(need(m, "refinement")), new MaskSettings(Integer.parseInt(mask[0]), Double.parseDouble(mask[1])),
                    Integer.parseInt(need(m, "inpaint-steps")), Long.parseLong(need(m, "seed")),
                    Integer.parseInt(m.getOrDefault("batch-size", "8")), Integer.parseInt(m.getOrDefault("filter-samples", "1")),
                    ClassLoss.parse(m.getOrDefault("loss", "ce")));
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new InvalidInputException("method specification: bad value (" + e.getMessage() + ") in\n" + text);
        }
    }

    private Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("attack", attack);
        m.put("kappa", num(kappa));
        m.put("iterations", Integer.toString(iterations));
        m.put("step", num(step));
        m.put("lambda1", num(lambda1));
        m.put("lambda2", num(lambda2));
        m.put("stop-margin", stopMargin == null ? "none" : num(stopMargin));
        m.put("fraction", num(fraction));
        m.put("refinement", refinement.label());
        m.put("mask", mask.dilation() + "," + num(mask.threshold()));
        m.put("inpaint-steps", Integer.toString(inpaintSteps));
        m.put("seed", Long.toString(seed));
        m.put("batch-size", Integer.toString(batchSize));
        // written only when not the reference's 1, so that reference settings read as before
        if (filterSamples != 1) m.put("filter-samples", Integer.toString(filterSamples));
        if (!(classLoss instanceof ClassLoss.CrossEntropy)) m.put("loss", classLoss.key());
        return m;
    }

    private static Ablation ablation(String label) {
        for (Ablation a : Ablation.values()) if (a.label().equalsIgnoreCase(label) || a.name().equalsIgnoreCase(label)) return a;
        throw new InvalidInputException("refinement: expected Pre-CE, FR-CE, F-CE or ACE, got '" + label + "'");
    }

    private static String need(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) throw new InvalidInputException("method specification: missing '" + key + "'");
        return v;
    }

    private static String text(Map<String, String> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    /** Exact decimal form (round trips through {@link Double#parseDouble}). */
    private static String num(double v) { return Double.toString(v); }
}
