package org.acejvm.refine;

import org.acejvm.core.NoiseSource;
import org.acejvm.core.graph.ImageMap;
import org.acejvm.diffusion.Inpainter;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns pre-explanations into explanations (step 2 of ACE). The refiners of the paper's ablation (Table 5):
 * <ul>
 *   <li>{@link #identity()}: Pre-CE, the pre-explanation itself;</li>
 *   <li>{@link #filter(ImageMap, String)} with the respaced filter: FR-CE; with a filter over all (not respaced)
 *       steps from tau: F-CE;</li>
 *   <li>{@link #inpainting(Inpainter, MaskSettings)}: ACE, diffusion inpainting outside the kept region.</li>
 * </ul>
 * Implementations hold graphs and are not thread-safe.
 */
public interface Refiner {

    /** The name of the configuration ("Pre-CE", "FR-CE", "F-CE", "ACE", ...). */
    String name();

    /** The mask settings used (for the reported mask, and by the inpainting refiner). */
    MaskSettings maskSettings();

    /**
     * Refines a batch.
     *
     * @param original       [N, C, H, W] in [0, 1]
     * @param preExplanation [N, C, H, W] in [0, 1]
     * @param sampleIds      one id per image; keys the noise
     * @param noise          where the refinement's noise comes from (unused by the identity refiner)
     */
    Refinement refine(INDArray original, INDArray preExplanation, long[] sampleIds, NoiseSource noise);

    /** Pre-CE: no refinement; reports the reference mask. */
    static Refiner identity() { return new IdentityRefiner(MaskSettings.reference()); }

    static Refiner identity(MaskSettings mask) { return new IdentityRefiner(mask); }

    /** The pre-explanation passed through {@code filter} (FR-CE or F-CE, depending on the filter), clamped to [0, 1]. */
    static Refiner filter(ImageMap filter, String name) { return new FilterRefiner(filter, name, MaskSettings.reference()); }

    /** ACE: mask, then diffusion inpainting of the region to change (RePaint resampling if the inpainter has it). */
    static Refiner inpainting(Inpainter inpainter, MaskSettings mask) { return new InpaintingRefiner(inpainter, mask); }

    static Refiner inpainting(Inpainter inpainter) { return inpainting(inpainter, MaskSettings.reference()); }
}
