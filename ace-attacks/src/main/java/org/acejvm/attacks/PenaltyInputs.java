package org.acejvm.attacks;

import org.acejvm.core.ImageSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The graph variables a {@link Penalty} may read. The originals and the start value are placeholders declared only
 * when a penalty asks for them, so the objective feeds only what its penalties use; the image change
 * {@code x' - x} is declared once and shared, so the pixel l1 and l2 terms read one difference as they always did.
 */
public final class PenaltyInputs {
    static final String ORIGINAL = "attack/original";
    static final String START = "attack/start";

    private final SameDiff sd;
    private final SDVariable search;
    private final SDVariable image;
    private final ImageSpec imageSpec;
    private final long[] searchShape;
    private SDVariable original;
    private SDVariable start;
    private SDVariable imageChange;
    private SDVariable searchChange;

    PenaltyInputs(SameDiff sd, SDVariable search, SDVariable image, ImageSpec imageSpec, long[] searchShape) {
        this.sd = sd;
        this.search = search;
        this.image = image;
        this.imageSpec = imageSpec;
        this.searchShape = searchShape.clone();
    }

    public SameDiff sameDiff() { return sd; }

    /** The search variable s [N, ...]. */
    public SDVariable search() { return search; }

    /** The attacked image x' = space(s) [N, C, H, W]. */
    public SDVariable image() { return image; }

    /** The original images x [N, C, H, W] (a placeholder). */
    public SDVariable original() {
        if (original == null) original = sd.placeHolder(ORIGINAL, DataType.FLOAT, imageSpec.batchShape(-1));
        return original;
    }

    /** The search variable's start value s0 [N, ...] (a placeholder). */
    public SDVariable start() {
        if (start == null) start = sd.placeHolder(START, DataType.FLOAT, batchShape(searchShape));
        return start;
    }

    /** {@code x' - x}. */
    public SDVariable imageChange() {
        if (imageChange == null) imageChange = image.sub(original());
        return imageChange;
    }

    /** {@code s - s0}. */
    public SDVariable searchChange() {
        if (searchChange == null) searchChange = search.sub(start());
        return searchChange;
    }

    /** Rank of the search variable, batch included. */
    public int searchRank() { return searchShape.length + 1; }

    boolean usesOriginal() { return original != null; }

    boolean usesStart() { return start != null; }

    private static long[] batchShape(long[] sample) {
        long[] s = new long[sample.length + 1];
        s[0] = -1;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return s;
    }
}
