package org.acejvm.diffusion;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The two pixel ranges of the library: images are in [0, 1] at every public boundary, a diffusion model works in
 * [-1, 1] ({@code model = 2 image - 1}). Array methods return new arrays and leave their argument unchanged.
 */
public final class ImageRange {
    private ImageRange() {}

    /** [0, 1] -> [-1, 1]. */
    public static SDVariable toModel(SDVariable images) { return images.mul(2.0).sub(1.0); }

    /** [-1, 1] -> [0, 1], not clamped, named {@code name}. */
    public static SDVariable fromModel(String name, SDVariable z) { return z.add(1.0).mul(name, 0.5); }

    /** [0, 1] -> [-1, 1]. */
    public static INDArray toModel(INDArray images) { return images.mul(2.0).subi(1.0); }

    /** [-1, 1] -> [0, 1], not clamped. */
    public static INDArray fromModel(INDArray z) { return z.add(1.0).muli(0.5); }

    /** [-1, 1] -> [0, 1], clamped to [0, 1]. */
    public static INDArray fromModelClamped(INDArray z) {
        return Transforms.max(Transforms.min(fromModel(z), 1.0, false), 0.0, false);
    }
}
