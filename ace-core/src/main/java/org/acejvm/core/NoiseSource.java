package org.acejvm.core;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where every random number of the library comes from.
 *
 * <p>Noise is drawn per sample: row {@code i} of a draw depends only on the source, {@code sampleIds[i]} and the
 * {@code stream} key (which says what the noise is for, e.g. "filter step k of attack iteration j"). So one image's
 * result does not depend on which other images share its batch, its thread or its machine.
 */
public interface NoiseSource {

    /**
     * Standard normal float32 noise of shape {@code [sampleIds.length, sampleShape...]}.
     *
     * @param sampleIds   stable identifiers of the samples (usually their index in the data set)
     * @param stream      what the noise is for; build keys with {@link #stream(long...)}
     * @param sampleShape the shape of one sample's noise
     */
    INDArray gaussian(long[] sampleIds, long stream, long... sampleShape);

    /** A deterministic source: same seed, same bits, on every backend and machine. */
    static NoiseSource seeded(long seed) { return new SeededNoiseSource(seed); }

    /**
     * A source that hands out the given arrays in order, one per call, checking each one's shape. For feeding the
     * exact noise of a reference implementation.
     */
    static NoiseSource supplied(List<INDArray> draws) { return new SuppliedNoiseSource(draws); }

    /** Combines the parts of a stream key (purpose, iteration, step, ...) into one well-mixed 64-bit key. */
    static long stream(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) h = SplitMix64.mix(h ^ SplitMix64.mix(p + 0x632BE59BD9B4E019L));
        return h;
    }
}
