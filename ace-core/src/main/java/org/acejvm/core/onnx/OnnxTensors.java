package org.acejvm.core.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import onnx.Onnx;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ONNX {@code TensorProto} to ND4J arrays: typed fields, little-endian {@code raw_data}, and external data files
 * (resolved relative to the model folder, never outside it).
 */
final class OnnxTensors {
    private OnnxTensors() {}

    // TensorProto.DataType values
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, STRING = 8,
            BOOL = 9, FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13;

    /** The ND4J type an ONNX element type is held in (unsigned and 16-bit types are widened). */
    static DataType dataType(int onnxType, String what) {
        switch (onnxType) {
            case FLOAT: case FLOAT16: return DataType.FLOAT;
            case DOUBLE: return DataType.DOUBLE;
            case INT64: case UINT32: case UINT64: return DataType.LONG;
            case INT32: case INT16: case UINT16: case INT8: case UINT8: return DataType.INT;
            case BOOL: return DataType.BOOL;
            default: throw new ModelFormatException(what + ": unsupported ONNX element type " + onnxType);
        }
    }

    static int bytesPerElement(int onnxType) {
        switch (onnxType) {
            case DOUBLE: case INT64: case UINT64: return 8;
            case FLOAT: case INT32: case UINT32: return 4;
            case FLOAT16: case INT16: case UINT16: return 2;
            case INT8: case UINT8: case BOOL: return 1;
            default: return -1;
        }
    }

    /**
     * @param modelDir the folder of the model file, for external data; null if the model came from memory
     */
    static INDArray toArray(Onnx.TensorProto t, Path modelDir) {
        String what = "tensor '" + t.getName() + "'";
        int type = t.getDataType();
        DataType dt = dataType(type, what);
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        for (long d : shape) {
            if (d < 0) throw new ModelFormatException(what + ": negative dimension in " + Arrays.toString(shape));
        }
        long n = 1;
        for (long d : shape) n = d == 0 || n <= Integer.MAX_VALUE / Math.max(1, d) ? n * d : Long.MAX_VALUE; // no overflow
        if (n > Integer.MAX_VALUE) {
            throw new ModelFormatException(what + ": shape " + Arrays.toString(shape) + " is too large ("
                    + (n == Long.MAX_VALUE ? "more than 2^63" : n) + " elements, at most " + Integer.MAX_VALUE + ")");
        }
        int count = (int) n;

        ByteBuffer raw = null;
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            raw = readExternal(t, modelDir, (long) count * bytesPerElement(type));
        } else if (!t.getRawData().isEmpty()) {
            raw = t.getRawData().asReadOnlyByteBuffer();
            long expected = (long) count * bytesPerElement(type);
            if (raw.remaining() != expected) {
                throw new ModelFormatException(what + ": raw data has " + raw.remaining() + " bytes, expected "
                        + expected + " for shape " + Arrays.toString(shape) + " (corrupt or truncated file?)");
            }
        }
        if (raw != null) return fromBytes(raw.order(ByteOrder.LITTLE_ENDIAN), type, dt, shape, count);
        return fromFields(t, type, dt, shape, count, what);
    }

    private static INDArray fromBytes(ByteBuffer b, int type, DataType dt, long[] shape, int count) {
        switch (type) {
            case FLOAT: { float[] a = new float[count]; b.asFloatBuffer().get(a); return create(a, shape); }
            case DOUBLE: { double[] a = new double[count]; b.asDoubleBuffer().get(a); return create(a, shape); }
            case INT64: case UINT64: { long[] a = new long[count]; b.asLongBuffer().get(a); return create(a, shape); }
            case UINT32: { long[] a = new long[count]; for (int i = 0; i < count; i++) a[i] = b.getInt(i * 4) & 0xffffffffL; return create(a, shape); }
            case INT32: { int[] a = new int[count]; b.asIntBuffer().get(a); return create(a, shape); }
            case INT16: { int[] a = new int[count]; for (int i = 0; i < count; i++) a[i] = b.getShort(i * 2); return create(a, shape); }
            case UINT16: { int[] a = new int[count]; for (int i = 0; i < count; i++) a[i] = b.getShort(i * 2) & 0xffff; return create(a, shape); }
            case INT8: { int[] a = new int[count]; for (int i = 0; i < count; i++) a[i] = b.get(i); return create(a, shape); }
            case UINT8: { int[] a = new int[count]; for (int i = 0; i < count; i++) a[i] = b.get(i) & 0xff; return create(a, shape); }
            case BOOL: { boolean[] a = new boolean[count]; for (int i = 0; i < count; i++) a[i] = b.get(i) != 0; return createBool(a, shape); }
            case FLOAT16: { float[] a = new float[count]; for (int i = 0; i < count; i++) a[i] = halfToFloat(b.getShort(i * 2)); return create(a, shape); }
            default: throw new IllegalStateException("type " + type + " as " + dt);
        }
    }

    private static INDArray fromFields(Onnx.TensorProto t, int type, DataType dt, long[] shape, int count, String what) {
        int have;
        switch (type) {
            case FLOAT: have = t.getFloatDataCount(); break;
            case DOUBLE: have = t.getDoubleDataCount(); break;
            case INT64: have = t.getInt64DataCount(); break;
            case UINT32: case UINT64: have = t.getUint64DataCount(); break;
            default: have = t.getInt32DataCount();
        }
        if (have != count) {
            throw new ModelFormatException(what + ": has " + have + " values, expected " + count + " for shape "
                    + Arrays.toString(shape) + " (corrupt or truncated file?)");
        }
        switch (type) {
            case FLOAT: { float[] a = new float[count]; for (int i = 0; i < count; i++) a[i] = t.getFloatData(i); return create(a, shape); }
            case DOUBLE: { double[] a = new double[count]; for (int i = 0; i < count; i++) a[i] = t.getDoubleData(i); return create(a, shape); }
            case INT64: { long[] a = new long[count]; for (int i = 0; i < count; i++) a[i] = t.getInt64Data(i); return create(a, shape); }
            case UINT32: case UINT64: { long[] a = new long[count]; for (int i = 0; i < count; i++) a[i] = t.getUint64Data(i); return create(a, shape); }
            case BOOL: { boolean[] a = new boolean[count]; for (int i = 0; i < count; i++) a[i] = t.getInt32Data(i) != 0; return createBool(a, shape); }
            case FLOAT16: { float[] a = new float[count]; for (int i = 0; i < count; i++) a[i] = halfToFloat((short) t.getInt32Data(i)); return create(a, shape); }
            default: { int[] a = new int[count]; for (int i = 0; i < count; i++) a[i] = t.getInt32Data(i); return create(a, shape); }
        }
    }

    private static ByteBuffer readExternal(Onnx.TensorProto t, Path modelDir, long expected) {
        String what = "tensor '" + t.getName() + "'";
        String location = null;
        long offset = 0;
        long length = -1;
        for (Onnx.StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location": location = e.getValue(); break;
                case "offset": offset = parseLong(e.getValue(), what, "offset"); break;
                case "length": length = parseLong(e.getValue(), what, "length"); break;
                default: // checksum etc.: ignored
            }
        }
        if (location == null || location.isEmpty()) throw new ModelFormatException(what + ": external data without a location");
        if (modelDir == null) throw new ModelFormatException(what + ": external data '" + location + "' but the model was not loaded from a file");
        Path dir = modelDir.toAbsolutePath().normalize();
        Path file = dir.resolve(location).normalize();
        if (Path.of(location).isAbsolute() || !file.startsWith(dir)) {
            throw new ModelFormatException(what + ": external data location '" + location
                    + "' points outside the model folder " + dir);
        }
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(dir.toRealPath())) {
                throw new ModelFormatException(what + ": external data location '" + location
                        + "' resolves (through a link) outside the model folder " + dir);
            }
            if (length >= 0 && length != expected) {
                throw new ModelFormatException(what + ": external data length " + length + " but the tensor needs "
                        + expected + " bytes");
            }
            long size = Files.size(real);
            if (offset < 0 || offset + expected > size) {
                throw new ModelFormatException(what + ": external data file '" + location + "' has " + size
                        + " bytes, the tensor needs bytes " + offset + " to " + (offset + expected) + " (truncated?)");
            }
            if (expected > Integer.MAX_VALUE) throw new ModelFormatException(what + ": " + expected + " bytes is too large");
            ByteBuffer buf = ByteBuffer.allocate((int) expected);
            try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ)) {
                ch.position(offset);
                while (buf.hasRemaining()) {
                    if (ch.read(buf) < 0) throw new ModelFormatException(what + ": unexpected end of external data file '" + location + "'");
                }
            }
            buf.flip();
            return buf;
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(what + ": external data file '" + location + "' not found in " + dir, e);
        } catch (IOException e) {
            throw new ModelFormatException(what + ": cannot read external data file '" + location + "': " + e.getMessage(), e);
        }
    }

    private static long parseLong(String s, String what, String key) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new ModelFormatException(what + ": external data " + key + " '" + s + "' is not a number");
        }
    }

    private static INDArray create(float[] a, long[] shape) {
        return shape.length == 0 ? Nd4j.scalar(a[0]) : Nd4j.create(a, shape, 'c');
    }

    private static INDArray create(double[] a, long[] shape) {
        return shape.length == 0 ? Nd4j.scalar(a[0]) : Nd4j.create(a, shape, 'c');
    }

    private static INDArray create(long[] a, long[] shape) {
        return shape.length == 0 ? Nd4j.scalar(a[0]) : Nd4j.createFromArray(a).reshape('c', shape);
    }

    private static INDArray create(int[] a, long[] shape) {
        return shape.length == 0 ? Nd4j.scalar(a[0]) : Nd4j.createFromArray(a).reshape('c', shape);
    }

    private static INDArray createBool(boolean[] a, long[] shape) {
        return shape.length == 0 ? Nd4j.scalar(a[0]) : Nd4j.createFromArray(a).reshape('c', shape);
    }

    static float halfToFloat(short h) {
        int s = (h >> 15) & 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
        float v;
        if (e == 0) v = (float) (m * Math.pow(2, -24));
        else if (e == 31) v = m == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        else v = (float) ((1 + m / 1024.0) * Math.pow(2, e - 15));
        return s == 1 ? -v : v;
    }
}
