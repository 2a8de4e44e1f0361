package org.acejvm.metrics;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The learned non-negative channel weights of an LPIPS-style distance, one vector per layer (LPIPS's {@code lin}
 * layers: a 1x1 convolution without bias from C_l channels to 1).
 */
public final class LpipsWeights {
    private final List<double[]> layers;

    private LpipsWeights(List<double[]> layers) {
        this.layers = layers;
    }

    /** Weights given directly, one array per layer; every value must be finite and >= 0. */
    public static LpipsWeights of(double[]... perLayer) {
        Checks.notNull(perLayer, "perLayer");
        List<double[]> layers = new ArrayList<>();
        for (int l = 0; l < perLayer.length; l++) {
            Checks.notNull(perLayer[l], "weights of layer " + l);
            for (double w : perLayer[l]) {
                if (!(w >= 0) || !Double.isFinite(w)) {
                    throw new InvalidInputException.Range("weights of layer " + l + ": expected finite values >= 0, got " + w);
                }
            }
            layers.add(perLayer[l].clone());
        }
        return new LpipsWeights(List.copyOf(layers));
    }

    /**
     * Loads one .npy file per layer, in layer order; any shape with C_l values (LPIPS stores [1, C_l, 1, 1]),
     * float32 or float64.
     */
    public static LpipsWeights load(Path... npyFiles) {
        Checks.notNull(npyFiles, "npyFiles");
        double[][] perLayer = new double[npyFiles.length][];
        for (int l = 0; l < npyFiles.length; l++) {
            Path p = npyFiles[l];
            if (p == null || !Files.isRegularFile(p)) throw new ModelFormatException("LPIPS weights: no file " + p);
            INDArray a;
            try {
                a = Nd4j.createFromNpyFile(new File(p.toString()));
            } catch (RuntimeException e) {
                throw new ModelFormatException("LPIPS weights: cannot read " + p + " as .npy: " + e.getMessage(), e);
            }
            perLayer[l] = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        }
        return of(perLayer);
    }

    public int numLayers() { return layers.size(); }

    /** The weights of layer l (a copy). */
    public double[] layer(int l) { return layers.get(l).clone(); }
}
