package org.acejvm.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Files written by numpy (scripts/make_npy_fixtures.py) and round trips. */
class NpyTest {
    private static final long[] SHAPE = {2, 3, 4};

    @TempDir Path tmp;

    static byte[] resource(String name) {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource /npy/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static INDArray floats(DataType type, long... shape) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.25 - 2.5;
        return Nd4j.createFromArray(v).reshape(shape).castTo(type);
    }

    static INDArray ints(long... shape) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = i * 1000 - 7;
        return Nd4j.createFromArray(v).reshape(shape);
    }

    static INDArray longs(long... shape) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = i * 1_000_000_000_000L - 7;
        return Nd4j.createFromArray(v).reshape(shape);
    }

    static INDArray bools(long... shape) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) v[i] = i % 3 == 0;
        return Nd4j.createFromArray(v).reshape(shape);
    }

    static void assertSame(INDArray actual, INDArray expected) {
        assertThat(actual.dataType()).isEqualTo(expected.dataType());
        assertThat(actual.shape()).containsExactly(expected.shape());
        assertThat(actual.equals(expected)).as("values of %s vs %s", actual, expected).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4_le.npy", "f4_be.npy", "f4_fortran.npy", "f4_v2.npy", "f4_v3.npy"})
    void readsNumpyFloat32(String file) {
        assertSame(Npy.read(resource(file)), floats(DataType.FLOAT, SHAPE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"f8_le.npy", "f8_be.npy"})
    void readsNumpyFloat64(String file) {
        assertSame(Npy.read(resource(file)), floats(DataType.DOUBLE, SHAPE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"i4_le.npy", "i4_be.npy"})
    void readsNumpyInt32(String file) {
        assertSame(Npy.read(resource(file)), ints(SHAPE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"i8_le.npy", "i8_be.npy"})
    void readsNumpyInt64(String file) {
        assertSame(Npy.read(resource(file)), longs(SHAPE));
    }

    @Test
    void readsNumpyFortranOrder2d() {
        INDArray a = Npy.read(resource("i8_fortran_2d.npy"));
        assertSame(a, longs(3, 5));
        assertThat(a.getLong(1, 2)).isEqualTo(7 * 1_000_000_000_000L - 7);
    }

    @Test
    void readsNumpyUint8() {
        INDArray a = Npy.read(resource("u1.npy"));
        assertThat(a.dataType()).isEqualTo(DataType.UINT8);
        assertThat(a.shape()).containsExactly(SHAPE);
        int[] v = a.castTo(DataType.INT32).data().asInt();
        for (int i = 0; i < v.length; i++) assertThat(v[i]).isEqualTo((i * 37) % 256);
    }

    @Test
    void readsNumpyBool() {
        assertSame(Npy.read(resource("b1.npy")), bools(SHAPE));
    }

    @Test
    void readsScalarOneDimensionalAndEmpty() {
        INDArray s = Npy.read(resource("f8_scalar.npy"));
        assertThat(s.rank()).isZero();
        assertThat(s.getDouble()).isEqualTo(-2.5);
        assertSame(Npy.read(resource("f4_1d.npy")), floats(DataType.FLOAT, 7));
        INDArray e = Npy.read(resource("f4_empty.npy"));
        assertThat(e.shape()).containsExactly(0, 3);
        assertThat(e.dataType()).isEqualTo(DataType.FLOAT);
    }

    @Test
    void writesWhatNumpyWrites() {
        // numpy pads the header to 64 bytes and writes the same little-endian data: identical files
        for (String f : new String[] {"f4_le.npy", "f8_le.npy", "i4_le.npy", "i8_le.npy", "u1.npy", "b1.npy", "f4_1d.npy",
                "f8_scalar.npy"}) {
            INDArray a = Npy.read(resource(f));
            assertThat(Npy.toBytes(a)).as(f).isEqualTo(resource(f));
        }
    }

    @Test
    void roundTripsEveryTypeThroughAFile() {
        INDArray[] arrays = {floats(DataType.FLOAT, 4, 1, 5, 5), floats(DataType.DOUBLE, 3), ints(2, 2), longs(1, 1, 1),
                floats(DataType.FLOAT, 3, 3).castTo(DataType.INT8), floats(DataType.FLOAT, 2, 5).castTo(DataType.INT16),
                Nd4j.createFromArray(0, 1, 127, 128, 255).castTo(DataType.UINT8), bools(4, 2), Nd4j.scalar(3.5f)};
        for (int i = 0; i < arrays.length; i++) {
            Path p = tmp.resolve("a" + i + ".npy");
            Npy.write(arrays[i], p);
            assertSame(Npy.read(p), arrays[i]);
        }
    }

    @Test
    void writesViewsAndFortranOrderedArraysInLogicalOrder() {
        INDArray base = floats(DataType.FLOAT, 4, 6);
        INDArray transposed = base.transpose();               // a view with swapped strides
        assertSame(Npy.read(Npy.toBytes(transposed)), transposed.dup('c'));
        INDArray f = base.dup('f');
        assertSame(Npy.read(Npy.toBytes(f)), base);
        INDArray slice = base.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertSame(Npy.read(Npy.toBytes(slice)), slice.dup());
    }

    @Test
    void headerIsAlignedAndNewlineTerminated() {
        byte[] b = Npy.toBytes(floats(DataType.FLOAT, 2, 3));
        int headerLen = (b[8] & 0xff) | ((b[9] & 0xff) << 8);
        assertThat((10 + headerLen) % 64).isZero();
        assertThat(b[10 + headerLen - 1]).isEqualTo((byte) '\n');
        assertThat(new String(b, 10, headerLen, StandardCharsets.ISO_8859_1))
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    }

    @Test
    void rejectsCorruptInputWithClearMessages() {
        byte[] good = resource("f4_le.npy");
        assertThatThrownBy(() -> Npy.read(new byte[0])).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not an npy file");
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        assertThatThrownBy(() -> Npy.read(badMagic)).isInstanceOf(ModelFormatException.class).hasMessageContaining("bad magic");
        byte[] badVersion = good.clone();
        badVersion[6] = 9;
        assertThatThrownBy(() -> Npy.read(badVersion)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("version 9.0");
        byte[] truncated = Arrays.copyOf(good, good.length - 5);
        assertThatThrownBy(() -> Npy.read(truncated)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("truncated").hasMessageContaining("96 bytes").hasMessageContaining("found 91");
        byte[] shortHeader = Arrays.copyOf(good, 40);
        assertThatThrownBy(() -> Npy.read(shortHeader)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("truncated npy header");
        assertThatThrownBy(() -> Npy.read(tmp.resolve("missing.npy"))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void rejectsUnsupportedDtypesAndMalformedHeaders() {
        assertThatThrownBy(() -> Npy.read(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }")))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("unsupported npy dtype '<c8'");
        assertThatThrownBy(() -> Npy.read(withHeader("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }")))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("unsupported npy dtype");
        assertThatThrownBy(() -> Npy.read(withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }")))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("structured");
        assertThatThrownBy(() -> Npy.read(withHeader("{'descr': '<f4', 'shape': (1,), }")))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("fortran_order");
        assertThatThrownBy(() -> Npy.read(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1, x), }")))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("bad dimension 'x'");
        assertThatThrownBy(() -> Npy.read(withHeader("garbage")))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("malformed npy header");
        byte[] badBool = withHeader("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", (byte) 1, (byte) 7);
        assertThatThrownBy(() -> Npy.read(badBool)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("byte value 7");
    }

    private static byte[] withHeader(String dict, byte... data) {
        byte[] d = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[10 + d.length + (data.length == 0 ? 4 : data.length)];
        System.arraycopy(Npy.MAGIC, 0, out, 0, 6);
        out[6] = 1;
        out[8] = (byte) d.length;
        System.arraycopy(d, 0, out, 10, d.length);
        System.arraycopy(data, 0, out, 10 + d.length, data.length);
        return out;
    }
}
