package org.acejvm.examples.evaluate;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.attacks.ClassLoss;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.MaskSettings;
import org.acejvm.refine.batch.MethodSpec;

/**
 * The methods of the paper's Tables 1 and 5, in table order, as {@link MethodSpec}s: PGD with the l1 (or, for
 * ACE-l2, the l2) distance through the diffusion filter, refined by inpainting (ACE), not at all (Pre-CE), by the
 * respaced filter (FR-CE) or by the un-respaced one (F-CE); and plain PGD without filter or refinement.
 */
public enum EvaluationMethod {
    ACE_L1("ACE-l1", Ablation.ACE, false), ACE_L2("ACE-l2", Ablation.ACE, true), PRE_CE("Pre-CE", Ablation.PRE_CE, false),
    F_CE("F-CE", Ablation.F_CE, false), FR_CE("FR-CE", Ablation.FR_CE, false), PLAIN_PGD("plain-PGD", Ablation.PRE_CE, false);

    public final String label;
    private final Ablation refinement;
    private final boolean l2;

    EvaluationMethod(String label, Ablation refinement, boolean l2) {
        this.label = label;
        this.refinement = refinement;
        this.l2 = l2;
    }

    /** The settings every method shares; the method picks its distance, filter and refinement. */
    public record Common(int iterations, double step, Double stopMargin, double lambda1, double lambda2, double fraction,
                         MaskSettings mask, int inpaintSteps, long seed, int batchSize, int filterSamples,
                         ClassLoss classLoss) {}

    /** This method's specification. */
    public MethodSpec spec(Common c) {
        boolean filtered = this != PLAIN_PGD;
        return new MethodSpec(label, "pgd", 0, c.iterations(), c.step(), l2 ? 0 : c.lambda1(), l2 ? c.lambda2() : 0,
                c.stopMargin(), filtered ? c.fraction() : 0, refinement, c.mask(), refinement == Ablation.ACE ? c.inpaintSteps() : 0,
                c.seed(), c.batchSize(), filtered ? c.filterSamples() : 1, c.classLoss());
    }

    /** Where the attack that this method refines is stored (shared by the methods with the same attack). */
    public String attackFolder() { return this == PLAIN_PGD ? label : l2 ? "Pre-CE-l2" : "Pre-CE"; }

    public static EvaluationMethod parse(String s) {
        String t = s.trim();
        for (EvaluationMethod m : values()) {
            if (m.label.equalsIgnoreCase(t) || m.name().equalsIgnoreCase(t)) return m;
        }
        if (t.equalsIgnoreCase("pgd") || t.equalsIgnoreCase("plain")) return PLAIN_PGD;
        throw new IllegalArgumentException("--methods: unknown method '" + t + "'; choose from " + labels());
    }

    public static String labels() {
        List<String> l = new ArrayList<>();
        for (EvaluationMethod m : values()) l.add(m.label);
        return String.join(", ", l);
    }
}
