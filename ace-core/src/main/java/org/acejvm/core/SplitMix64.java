package org.acejvm.core;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a tiny, well-mixed 64-bit generator. Written out here, rather than taken
 * from java.util, so that its bits are specified and a reference script can reproduce them exactly.
 */
final class SplitMix64 {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    SplitMix64(long seed) { this.state = seed; }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in (0, 1]: never 0, so the logarithm in Box-Muller is finite. */
    double nextOpenUnit() { return ((nextLong() >>> 11) + 1) * 0x1.0p-53; }
}
