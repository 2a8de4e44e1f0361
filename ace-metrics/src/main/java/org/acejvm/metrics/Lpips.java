package org.acejvm.metrics;

import java.util.List;
import org.acejvm.core.Checks;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.Preprocessing;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An LPIPS-style perceptual distance on a pluggable multi-layer feature network: for each layer l, the activations
 * of both images are unit-normalised across channels at every spatial position ({@code f / (|f| + 1e-10)}), the
 * squared differences are summed over channels (weighted by the layer's learned non-negative channel weights when
 * given, as LPIPS's lin layers), averaged over the spatial positions, and the layers are summed. In double precision.
 */
public final class Lpips {
    private static final double EPS = 1e-10;

    /**
     * LPIPS's own input scaling ({@code (2x - 1 - shift) / scale} with shift [-0.030, -0.088, -0.188] and scale
     * [0.458, 0.448, 0.450]) written as a {@link Preprocessing} on [0, 1] RGB images, for VGG/AlexNet feature networks
     * that come with LPIPS weights.
     */
    public static final Preprocessing LPIPS_INPUT = new Preprocessing(
            new float[] {(1f - 0.030f) / 2, (1f - 0.088f) / 2, (1f - 0.188f) / 2},
            new float[] {0.458f / 2, 0.448f / 2, 0.450f / 2}, false);

    private final FeatureMapExtractor network;
    private final LpipsWeights weights;

    /** Unweighted: squared differences summed over channels. */
    public Lpips(FeatureMapExtractor network) {
        this(network, null);
    }

    /** Weighted by {@code weights} (one vector per layer of {@code network}), or unweighted when null. */
    public Lpips(FeatureMapExtractor network, LpipsWeights weights) {
        Checks.notNull(network, "network");
        this.network = network;
        this.weights = weights;
    }

    /** The distance of each pair (a_i, b_i), shape-checked like every image pair. */
    public double[] distance(INDArray a, INDArray b) {
        Metrics.checkImagePairs(a, b);
        return distance(normalisedMaps(a), normalisedMaps(b));
    }

    /**
     * The distances of all pairs i &lt; j of a batch [K, C, H, W], evaluating the network once: entry [i][j] (and
     * [j][i]) for i != j, 0 on the diagonal.
     */
    public double[][] pairwise(INDArray images) {
        Checks.images(images, null, "images");
        int k = (int) images.size(0);
        List<INDArray> maps = normalisedMaps(images);
        int pairs = k * (k - 1) / 2;
        double[][] out = new double[k][k];
        if (pairs == 0) return out;
        int[] left = new int[pairs];
        int[] right = new int[pairs];
        for (int i = 0, p = 0; i < k; i++) {
            for (int j = i + 1; j < k; j++, p++) {
                left[p] = i;
                right[p] = j;
            }
        }
        double[] d = distance(rows(maps, left), rows(maps, right));
        for (int p = 0; p < pairs; p++) {
            out[left[p]][right[p]] = d[p];
            out[right[p]][left[p]] = d[p];
        }
        return out;
    }

    private static List<INDArray> rows(List<INDArray> maps, int[] idx) {
        return maps.stream().map(m -> {
            long[] s = m.shape();
            INDArray flat = m.reshape('c', s[0], m.length() / s[0]).getRows(idx);
            return flat.reshape('c', idx.length, s[1], s[2], s[3]);
        }).toList();
    }

    /** Feature maps of each layer, unit-normalised across channels at each position, in double. */
    private List<INDArray> normalisedMaps(INDArray images) {
        List<INDArray> maps = network.featureMaps(images);
        if (weights != null && weights.numLayers() != maps.size()) {
            throw new ModelFormatException("LPIPS: the network gives " + maps.size() + " layers but there are weights for "
                    + weights.numLayers());
        }
        return maps.stream().map(m -> {
            if (m.rank() != 4 || m.size(0) != images.size(0)) {
                throw new ModelFormatException("LPIPS: expected feature maps [" + images.size(0) + ", C, H, W], got "
                        + java.util.Arrays.toString(m.shape()));
            }
            INDArray f = m.castTo(DataType.DOUBLE).dup('c');
            INDArray norm = Transforms.sqrt(f.mul(f).sum(1), false).addi(EPS); // [N, H, W]
            return Broadcast.div(f, norm, f, 0, 2, 3);
        }).toList();
    }

    private double[] distance(List<INDArray> mapsA, List<INDArray> mapsB) {
        long n = mapsA.get(0).size(0);
        double[] total = new double[(int) n];
        for (int l = 0; l < mapsA.size(); l++) {
            INDArray fa = mapsA.get(l);
            INDArray fb = mapsB.get(l);
            if (!java.util.Arrays.equals(fa.shape(), fb.shape())) {
                throw new ModelFormatException("LPIPS: layer " + l + " has shapes " + java.util.Arrays.toString(fa.shape())
                        + " and " + java.util.Arrays.toString(fb.shape()));
            }
            INDArray diff = fa.sub(fb);
            INDArray sq = diff.muli(diff);
            if (weights != null) {
                double[] w = weights.layer(l);
                if (w.length != sq.size(1)) {
                    throw new ModelFormatException("LPIPS: layer " + l + " has " + sq.size(1) + " channels but "
                            + w.length + " weights");
                }
                Broadcast.mul(sq, Nd4j.createFromArray(w), sq, 1);
            }
            double[] perImage = sq.sum(1).mean(1, 2).toDoubleVector();
            for (int i = 0; i < n; i++) total[i] += perImage[i];
        }
        return total;
    }
}
