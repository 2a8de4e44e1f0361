package org.acejvm.refine;

import java.util.concurrent.atomic.AtomicReference;
import org.acejvm.core.Checks;
import org.acejvm.core.NoiseSource;
import org.acejvm.diffusion.ImageRange;
import org.acejvm.diffusion.Inpainter;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ACE's refinement: {@code keep = Masks.keep(x, pre)}, then {@link Inpainter#inpaint}. The noisy start image is
 * {@code q_sample(2 pre - 1, S - 1)} with the inpainter's own start noise (its first draw, by the documented draw
 * order), mapped to [0, 1] and clamped as the reference saves it.
 */
final class InpaintingRefiner implements Refiner {
    private final Inpainter inpainter;
    private final MaskSettings mask;

    InpaintingRefiner(Inpainter inpainter, MaskSettings mask) {
        Checks.notNull(inpainter, "inpainter");
        Checks.notNull(mask, "mask");
        this.inpainter = inpainter;
        this.mask = mask;
    }

    @Override public String name() { return "ACE"; }

    @Override public MaskSettings maskSettings() { return mask; }

    public Inpainter inpainter() { return inpainter; }

    @Override
    public Refinement refine(INDArray original, INDArray preExplanation, long[] sampleIds, NoiseSource noise) {
        Checks.notNull(noise, "noise");
        INDArray keep = Masks.keep(original, preExplanation, mask);
        AtomicReference<INDArray> first = new AtomicReference<>();
        NoiseSource recording = (ids, stream, shape) -> {
            INDArray g = noise.gaussian(ids, stream, shape);
            first.compareAndSet(null, g.dup());
            return g;
        };
        INDArray out = inpainter.inpaint(original, preExplanation, keep, sampleIds, recording);
        INDArray z = inpainter.model().qSample(ImageRange.toModel(preExplanation), inpainter.steps() - 1, first.get());
        INDArray noisy = ImageRange.fromModelClamped(z);
        return new Refinement(out, keep, noisy);
    }

    @Override public String toString() { return "Refiner.inpainting(" + inpainter + ", " + mask + ")"; }
}
