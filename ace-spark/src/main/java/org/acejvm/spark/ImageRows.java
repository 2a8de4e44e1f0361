package org.acejvm.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.io.Images;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The input of a cluster run: rows of {@code id} (long or int, unique: it keys the noise and the results),
 * {@code image} (PNG or JPEG bytes) or {@code path} (a file every executor can read), and optionally {@code target}
 * (int; null or absent: the run's {@link TargetRule}). Other columns are ignored.
 */
public final class ImageRows {
    public static final String ID = "id";
    public static final String IMAGE = "image";
    public static final String PATH = "path";
    public static final String TARGET = "target";

    private ImageRows() {}

    /** One decoded input row. */
    record Item(long id, INDArray image, Integer target) {}

    /** Refuses an input without the columns a run needs, naming what is expected. */
    static void check(StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        String expected = "expected columns id (long), image (binary: PNG or JPEG bytes) or path (string), "
                + "optionally target (int); got " + schema.simpleString();
        if (!names.contains(ID) || !isInteger(schema.apply(ID).dataType())) throw new InvalidInputException(expected);
        boolean bytes = names.contains(IMAGE) && schema.apply(IMAGE).dataType().equals(DataTypes.BinaryType);
        boolean path = names.contains(PATH) && schema.apply(PATH).dataType().equals(DataTypes.StringType);
        if (!bytes && !path) throw new InvalidInputException(expected);
        if (names.contains(TARGET) && !isInteger(schema.apply(TARGET).dataType())) throw new InvalidInputException(expected);
    }

    private static boolean isInteger(DataType t) { return t.equals(DataTypes.LongType) || t.equals(DataTypes.IntegerType); }

    /** Decodes a row to an image of {@code spec} ([C, H, W] in [0, 1]); another size is refused, never resized. */
    static Item decode(Row row, ImageSpec spec) {
        long id = ((Number) row.getAs(ID)).longValue();
        StructType schema = row.schema();
        boolean hasImage = Arrays.asList(schema.fieldNames()).contains(IMAGE) && !row.isNullAt(row.fieldIndex(IMAGE));
        INDArray x;
        if (hasImage) {
            x = decode((byte[]) row.getAs(IMAGE), "image of id " + id, spec.channels());
        } else {
            if (!Arrays.asList(schema.fieldNames()).contains(PATH) || row.isNullAt(row.fieldIndex(PATH))) {
                throw new InvalidInputException("row of id " + id + " has neither image bytes nor a path");
            }
            x = Images.read(Path.of((String) row.getAs(PATH)), spec.channels());
        }
        if (!spec.matches(x.shape())) {
            throw new InvalidInputException.Shape("image of id " + id + ": expected " + spec + ", got "
                    + Arrays.toString(x.shape()) + " (resize it before the run)");
        }
        Integer target = null;
        if (Arrays.asList(schema.fieldNames()).contains(TARGET) && !row.isNullAt(row.fieldIndex(TARGET))) {
            target = ((Number) row.getAs(TARGET)).intValue();
        }
        return new Item(id, x.reshape(spec.channels(), spec.height(), spec.width()), target);
    }

    /** PNG or JPEG bytes as [1, channels, H, W] (the checks of {@link Images#decode}). */
    public static INDArray decode(byte[] bytes, String what, int channels) { return Images.decode(bytes, what, channels); }

    /** An image ([C, H, W] or [1, C, H, W] in [0, 1]) as 8-bit PNG bytes. */
    public static byte[] png(INDArray image) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            ImageIO.write(Images.toBufferedImage(image), "png", out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The input schema with bytes: id, image[, target]. */
    public static StructType schema(boolean withTarget) {
        StructType s = new StructType(new StructField[] {
            DataTypes.createStructField(ID, DataTypes.LongType, false),
            DataTypes.createStructField(IMAGE, DataTypes.BinaryType, false)});
        return withTarget ? s.add(TARGET, DataTypes.IntegerType, true) : s;
    }
}
