package org.acejvm.refine.calibrate;

import org.acejvm.core.InvalidInputException;

/**
 * The mask dilation scaled to the image size. The reference's 15 was chosen for 128-256 px images (about 12% of a
 * 128 px side); on a 32 px image it dilates every changed pixel into most of the image.
 */
public final class MaskDilation {
    /** The reference's dilation over its image side: 15 / 128. */
    public static final double SHARE_OF_SIDE = 0.12;

    private MaskDilation() {}

    /** The odd dilation nearest to {@code share * side}, at least 1 ({@code MaskSettings} needs an odd size). */
    public static int forSide(int side, double share) {
        if (side < 1) throw new InvalidInputException.Range("side: expected at least 1, got " + side);
        if (!(share > 0 && share <= 1)) throw new InvalidInputException.Range("share: expected a value in (0, 1], got " + share);
        long odd = 2 * Math.round((share * side - 1) / 2) + 1;
        return (int) Math.max(1, odd);
    }

    /** {@link #forSide(int, double)} with {@link #SHARE_OF_SIDE}. */
    public static int forSide(int side) { return forSide(side, SHARE_OF_SIDE); }
}
