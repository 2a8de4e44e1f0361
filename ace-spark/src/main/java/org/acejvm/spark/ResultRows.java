package org.acejvm.spark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.acejvm.core.result.Explanation;
import org.acejvm.metrics.ChangeLocality;
import org.acejvm.metrics.ImageDistances;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One output row per explanation. Images are stored twice: exactly, as float32 values (little-endian, [C, H, W] in
 * row-major order: {@link #floats}), for evaluation and comparison, and as 8-bit PNG for viewing.
 *
 * <table>
 *   <caption>Columns</caption>
 *   <tr><td>id, variant, method</td><td>the image, which explanation of it (0), the method's name</td></tr>
 *   <tr><td>source, target</td><td>predicted class of the original, class asked for (-1: untargeted)</td></tr>
 *   <tr><td>success, attack_success, iterations</td><td>whether the explanation / the pre-explanation reach the
 *       target; attack iterations spent</td></tr>
 *   <tr><td>p_source_before, p_target_before, p_source_after, p_target_after, predicted_after</td><td>the
 *       classifier's probabilities on the original and the explanation</td></tr>
 *   <tr><td>change_l1, change_l2, change_linf</td><td>mean |x' - x| per value, ||x' - x||_2, max |x' - x|</td></tr>
 *   <tr><td>changed_share, top_share</td><td>share of pixels changed by more than 1/255; share of the change carried
 *       by the 10% most-changed pixels</td></tr>
 *   <tr><td>mask_area</td><td>mean of the refinement's mask (1 = may change)</td></tr>
 *   <tr><td>channels, height, width; explanation, pre_explanation, mask</td><td>shape; float32 values</td></tr>
 *   <tr><td>explanation_png, mask_png</td><td>8-bit PNG bytes</td></tr>
 *   <tr><td>seconds</td><td>the explanation's share of its batch's wall time</td></tr>
 * </table>
 */
public final class ResultRows {
    public static final StructType SCHEMA = new StructType(new StructField[] {
        f("id", DataTypes.LongType), f("variant", DataTypes.IntegerType), f("method", DataTypes.StringType),
        f("source", DataTypes.IntegerType), f("target", DataTypes.IntegerType),
        f("success", DataTypes.BooleanType), f("attack_success", DataTypes.BooleanType), f("iterations", DataTypes.IntegerType),
        f("p_source_before", DataTypes.DoubleType), f("p_target_before", DataTypes.DoubleType),
        f("p_source_after", DataTypes.DoubleType), f("p_target_after", DataTypes.DoubleType),
        f("predicted_after", DataTypes.IntegerType),
        f("change_l1", DataTypes.DoubleType), f("change_l2", DataTypes.DoubleType), f("change_linf", DataTypes.DoubleType),
        f("changed_share", DataTypes.DoubleType), f("top_share", DataTypes.DoubleType), f("mask_area", DataTypes.DoubleType),
        f("channels", DataTypes.IntegerType), f("height", DataTypes.IntegerType), f("width", DataTypes.IntegerType),
        f("explanation", DataTypes.BinaryType), f("pre_explanation", DataTypes.BinaryType), f("mask", DataTypes.BinaryType),
        f("explanation_png", DataTypes.BinaryType), f("mask_png", DataTypes.BinaryType),
        f("seconds", DataTypes.DoubleType)});

    private static final ChangeLocality LOCALITY = new ChangeLocality();

    private ResultRows() {}

    private static StructField f(String name, DataType type) { return DataTypes.createStructField(name, type, false); }

    /** The row of explanation {@code e} of {@code original} ([C, H, W] or [1, C, H, W]). */
    static Row of(Explanation e, INDArray original) {
        long[] shape = e.explanation().shape();
        INDArray x = original.reshape(1, shape[0], shape[1], shape[2]);
        INDArray cf = e.explanation().toINDArray().reshape(1, shape[0], shape[1], shape[2]);
        Map<ImageDistances.Norm, double[]> d = ImageDistances.perImage(x, cf);
        ChangeLocality.PerImage loc = LOCALITY.perImage(x, cf);
        float[] mask = e.mask().data();
        double area = 0;
        for (float m : mask) area += m;
        return RowFactory.create(e.sampleId(), e.variant(), e.method(), e.source(), e.target(), e.success(),
                e.attackSuccess(), e.iterations(), e.before().source(), e.before().target(), e.after().source(),
                e.after().target(), e.after().predicted(), d.get(ImageDistances.Norm.L1)[0], d.get(ImageDistances.Norm.L2)[0],
                d.get(ImageDistances.Norm.LINF)[0], loc.changedShare()[0], loc.topShare()[0], area / mask.length,
                (int) shape[0], (int) shape[1], (int) shape[2], bytes(e.explanation().data()),
                bytes(e.preExplanation().data()), bytes(mask), ImageRows.png(e.explanation().toINDArray()), ImageRows.png(e.mask().toINDArray()), e.nanos() / 1e9);
    }

    /** float32 values as little-endian bytes. */
    public static byte[] bytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    /** The float32 values of an image column ({@code explanation}, {@code pre_explanation} or {@code mask}). */
    public static float[] floats(byte[] bytes) {
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /** An image column of a row as [C, H, W] ({@code mask}: [1, H, W]). */
    public static INDArray image(Row row, String column) {
        float[] v = floats(row.getAs(column));
        int h = row.getAs("height"), w = row.getAs("width");
        return Nd4j.create(v, new long[] {v.length / ((long) h * w), h, w}, org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }
}
