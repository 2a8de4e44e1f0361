package org.acejvm.examples.report;

import java.util.Collection;
import org.acejvm.core.io.Images;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One colour scale for the difference maps of a grid: white is {@code max}, the largest |x' - x| over every map the
 * grid shows, so that rows can be compared by colour (a per-row scale would make a tiny change look as hot as a
 * large one).
 *
 * @param max the value drawn white; 0 when nothing changed
 */
public record DifferenceScale(double max) {

    /** The scale whose white is the largest value of any of the maps. */
    public static DifferenceScale over(Collection<INDArray> maps) {
        double max = 0;
        for (INDArray m : maps) max = Math.max(max, m.maxNumber().doubleValue());
        return new DifferenceScale(max);
    }

    /**
     * The difference map [1, 1, H, W] of an explanation and its original (both [1, C, H, W]): |x' - x|, the largest
     * over the channels, so that it stays in [0, 1] for colour images too.
     */
    public static INDArray map(INDArray original, INDArray explanation) {
        return Transforms.abs(explanation.sub(original.castTo(explanation.dataType()))).max(true, 1);
    }

    /** A map [1, 1, H, W] as an RGB heat map [1, 3, H, W] on this scale. */
    public INDArray heat(INDArray map) {
        return Images.heatMap(map.reshape(map.size(2), map.size(3)), max);
    }
}
