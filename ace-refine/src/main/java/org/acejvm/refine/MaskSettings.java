package org.acejvm.refine;

import org.acejvm.core.InvalidInputException;

/**
 * How the region to re-generate is found from the pre-explanation (reference: dilation 15, threshold 0.15; 0.05 for
 * the driving data set).
 *
 * @param dilation  side of the square max-pool that dilates the normalised difference (odd, stride 1, same size)
 * @param threshold pixels whose dilated difference is below it are kept from the original
 */
public record MaskSettings(int dilation, double threshold) {
    public static final int REFERENCE_DILATION = 15;
    public static final double REFERENCE_THRESHOLD = 0.15;

    public MaskSettings {
        if (dilation < 1 || dilation % 2 == 0) {
            throw new InvalidInputException.Range("dilation: expected an odd number >= 1, got " + dilation);
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new InvalidInputException.Range("threshold: expected a value in [0, 1], got " + threshold);
        }
    }

    /** Dilation 15, threshold 0.15. */
    public static MaskSettings reference() { return new MaskSettings(REFERENCE_DILATION, REFERENCE_THRESHOLD); }

    public MaskSettings withThreshold(double t) { return new MaskSettings(dilation, t); }

    public MaskSettings withDilation(int d) { return new MaskSettings(d, threshold); }
}
