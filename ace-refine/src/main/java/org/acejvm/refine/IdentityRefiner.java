package org.acejvm.refine;

import org.acejvm.core.Checks;
import org.acejvm.core.NoiseSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Pre-CE: the explanation is the pre-explanation. */
final class IdentityRefiner implements Refiner {
    private final MaskSettings mask;

    IdentityRefiner(MaskSettings mask) {
        Checks.notNull(mask, "mask");
        this.mask = mask;
    }

    @Override public String name() { return "Pre-CE"; }

    @Override public MaskSettings maskSettings() { return mask; }

    @Override
    public Refinement refine(INDArray original, INDArray preExplanation, long[] sampleIds, NoiseSource noise) {
        return new Refinement(preExplanation.dup(), Masks.keep(original, preExplanation, mask), null);
    }

    @Override public String toString() { return "Refiner.identity(" + mask + ")"; }
}
