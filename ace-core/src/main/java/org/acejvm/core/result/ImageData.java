package org.acejvm.core.result;

import java.util.Arrays;
import org.acejvm.core.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An immutable float32 array with its shape, in C order: how result records hold images and masks. Serialised to
 * JSON as {@code {"shape": [...], "data": [...]}}.
 */
public record ImageData(long[] shape, float[] data) {

    public ImageData {
        if (shape == null || data == null) throw new InvalidInputException("shape and data must not be null");
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new InvalidInputException.Shape("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (n != data.length) {
            throw new InvalidInputException.Shape("shape " + Arrays.toString(shape) + " holds " + n + " values, got "
                    + data.length);
        }
        shape = shape.clone();
        data = data.clone();
    }

    /** A copy of {@code array} (any numeric type; stored as float32). */
    public static ImageData of(INDArray array) {
        INDArray f = array.castTo(DataType.FLOAT).dup('c');
        return new ImageData(f.shape(), f.data().asFloat());
    }

    /** A copy of image {@code i} of a batch [N, ...] (the batch dimension dropped). */
    public static ImageData row(INDArray batch, int i) {
        return of(batch.slice(i));
    }

    /** Images of equal shape as one batch [N, ...]. */
    public static INDArray stack(java.util.List<ImageData> images) {
        if (images.isEmpty()) throw new InvalidInputException.Shape("cannot stack an empty list of images");
        long[] shape = images.get(0).shape;
        int per = images.get(0).data.length;
        float[] all = new float[per * images.size()];
        for (int i = 0; i < images.size(); i++) {
            ImageData d = images.get(i);
            if (!Arrays.equals(d.shape, shape)) {
                throw new InvalidInputException.Shape("image " + i + " has shape " + Arrays.toString(d.shape)
                        + ", image 0 " + Arrays.toString(shape));
            }
            System.arraycopy(d.data, 0, all, i * per, per);
        }
        long[] batch = new long[shape.length + 1];
        batch[0] = images.size();
        System.arraycopy(shape, 0, batch, 1, shape.length);
        return Nd4j.create(all, batch, DataType.FLOAT);
    }

    @Override public long[] shape() { return shape.clone(); }

    @Override public float[] data() { return data.clone(); }

    /** A new float32 INDArray holding a copy of the values. */
    public INDArray toINDArray() { return Nd4j.create(data.clone(), shape.clone(), DataType.FLOAT); }

    @Override public boolean equals(Object o) {
        return o instanceof ImageData d && Arrays.equals(shape, d.shape) && Arrays.equals(data, d.data);
    }

    @Override public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }

    @Override public String toString() { return "ImageData" + Arrays.toString(shape); }
}
