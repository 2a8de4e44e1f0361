package org.acejvm.core;


/**
 * The per-sample shape a model expects: channels, height, width. The batch dimension is always free.
 * Images at every public boundary are NCHW float32 with values in [0, 1].
 */
public record ImageSpec(int channels, int height, int width) {
    public ImageSpec {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new InvalidInputException.Shape("image spec needs positive channels, height and width, got "
                    + channels + "x" + height + "x" + width);
        }
    }

    /** Shape of a batch of n images. */
    public long[] batchShape(long n) { return new long[] {n, channels, height, width}; }

    /** Number of values in one image. */
    public long sampleSize() { return (long) channels * height * width; }

    public boolean matches(long[] shape) {
        return shape.length == 4 && shape[1] == channels && shape[2] == height && shape[3] == width;
    }

    @Override public String toString() { return "[N, " + channels + ", " + height + ", " + width + "]"; }
}
