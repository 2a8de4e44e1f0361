package org.acejvm.core;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deterministic Gaussian noise keyed by (seed, sample id, stream): each row gets its own SplitMix64 generator and
 * Box-Muller pairs (cos branch, then sin branch). Java code, not a backend RNG, so the bits are the same on CPU
 * and GPU.
 */
public final class SeededNoiseSource implements NoiseSource {
    private final long seed;

    public SeededNoiseSource(long seed) { this.seed = seed; }

    public long seed() { return seed; }

    /** An independent source for another explanation of the same images (diversity runs). */
    public SeededNoiseSource variant(long variant) {
        return new SeededNoiseSource(SplitMix64.mix(seed ^ SplitMix64.mix(variant + 0x5851F42D4C957F2DL)));
    }

    @Override
    public INDArray gaussian(long[] sampleIds, long stream, long... sampleShape) {
        Checks.notNull(sampleIds, "sampleIds");
        long per = 1;
        for (long d : sampleShape) {
            if (d <= 0) throw new InvalidInputException.Shape("noise sample shape must be positive, got " + Arrays.toString(sampleShape));
            per = Math.multiplyExact(per, d);
        }
        if (per > Integer.MAX_VALUE / Math.max(1, sampleIds.length)) {
            throw new InvalidInputException.Shape("noise draw too large: " + sampleIds.length + " x " + per);
        }
        float[] out = new float[(int) (per * sampleIds.length)];
        for (int i = 0; i < sampleIds.length; i++) fillRow(out, (int) (i * per), (int) per, rowKey(sampleIds[i], stream));
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = sampleIds.length;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return Nd4j.create(out, shape, DataType.FLOAT);
    }

    private long rowKey(long sampleId, long stream) {
        return SplitMix64.mix(SplitMix64.mix(seed) ^ SplitMix64.mix(sampleId * 0xD1B54A32D192ED03L + stream));
    }

    private static void fillRow(float[] out, int offset, int n, long key) {
        SplitMix64 rng = new SplitMix64(key);
        for (int j = 0; j < n; j += 2) {
            double r = Math.sqrt(-2.0 * Math.log(rng.nextOpenUnit()));
            double theta = 2.0 * Math.PI * rng.nextOpenUnit();
            out[offset + j] = (float) (r * Math.cos(theta));
            if (j + 1 < n) out[offset + j + 1] = (float) (r * Math.sin(theta));
        }
    }

    @Override public String toString() { return "SeededNoiseSource(seed=" + seed + ")"; }
}
