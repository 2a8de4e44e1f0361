package org.acejvm.refine;

/** The refinement variants of the ACE paper's Table 5: configurations of the same explainer. */
public enum Ablation {
    /** The pre-explanation itself (attack through the filter, no refinement). */
    PRE_CE("Pre-CE"),
    /** The pre-explanation through the filter over the respaced steps, no inpainting. */
    FR_CE("FR-CE"),
    /** The pre-explanation through the filter over all (not respaced) steps from tau, no inpainting. */
    F_CE("F-CE"),
    /** Full ACE: mask and diffusion inpainting. */
    ACE("ACE");

    private final String label;

    Ablation(String label) { this.label = label; }

    public String label() { return label; }
}
