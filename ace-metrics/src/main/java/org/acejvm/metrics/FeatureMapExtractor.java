package org.acejvm.metrics;

import java.util.List;
import java.util.function.Function;
import org.acejvm.core.Checks;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A multi-layer feature network for LPIPS-style distances: [0, 1] NCHW images in, one activation map
 * [N, C_l, H_l, W_l] per chosen layer out, in a fixed layer order.
 */
public interface FeatureMapExtractor {

    /** One feature map per layer, each [N, C_l, H_l, W_l]. */
    List<INDArray> featureMaps(INDArray images);

    /** Wraps a plain function (tests, or maps computed by other means). */
    static FeatureMapExtractor of(Function<INDArray, List<INDArray>> function) {
        Checks.notNull(function, "function");
        return images -> {
            Checks.rank(images, 4, "images");
            List<INDArray> maps = function.apply(images);
            for (INDArray m : maps) {
                if (m.rank() != 4 || m.size(0) != images.size(0)) {
                    throw new ModelFormatException("feature map: expected [" + images.size(0) + ", C, H, W], got "
                            + java.util.Arrays.toString(m.shape()));
                }
            }
            return maps;
        };
    }
}
