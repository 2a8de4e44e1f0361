package org.acejvm.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) to and from {@link INDArray}.
 *
 * <p>Supported element types: float32 ({@code f4}), float64 ({@code f8}), int8 ({@code i1}), int16 ({@code i2}),
 * int32 ({@code i4}), int64 ({@code i8}), uint8 ({@code u1}) and bool ({@code b1}), little- or big-endian.
 * Arrays stored in Fortran order are read and returned in C order with the same logical layout. Structured dtypes,
 * object arrays and other element types are rejected with a {@link ModelFormatException}.
 *
 * <p>Writing always produces a little-endian, C-order file, version 1.0 (2.0 when the header does not fit), with the
 * header padded to a multiple of 64 bytes as NumPy does.
 */
public final class Npy {
    /** The six magic bytes every .npy file starts with. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int HEADER_ALIGN = 64;
    /** Refuse headers larger than this (NumPy itself refuses more than 10,000 bytes by default). */
    private static final int MAX_HEADER = 1 << 20;

    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*(\\S)");
    private static final Pattern DESCR_STRING = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]*)['\"]");
    private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern KEY = Pattern.compile("['\"]([A-Za-z_]+)['\"]\\s*:");

    private Npy() {}

    // ------------------------------------------------------------------------------------------------ reading

    /**
     * Arrays whose data needs more bytes than this are refused from their header, before anything is allocated:
     * 512 MiB. A compressed .npz entry of a megabyte can hold a gigabyte of zeros. Override with the system property
     * {@value #MAX_BYTES_PROPERTY} or pass a limit to {@link #read(InputStream, String, long)}.
     */
    public static final long DEFAULT_MAX_BYTES = 1L << 29;
    /** System property overriding {@link #DEFAULT_MAX_BYTES}. */
    public static final String MAX_BYTES_PROPERTY = "ace.npy.maxArrayBytes";

    static long defaultMaxBytes() {
        return Long.getLong(MAX_BYTES_PROPERTY, DEFAULT_MAX_BYTES);
    }

    /** Reads one array from a .npy file. */
    public static INDArray read(Path file) {
        Checks.notNull(file, "file");
        if (!Files.isRegularFile(file)) throw new ModelFormatException("npy file not found: " + file);
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), defaultMaxBytes(), Files.size(file));
        } catch (IOException e) {
            throw new ModelFormatException("cannot read npy file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads one array from the bytes of a .npy file. */
    public static INDArray read(byte[] bytes) {
        Checks.notNull(bytes, "bytes");
        return read(new java.io.ByteArrayInputStream(bytes), "npy data", defaultMaxBytes(), bytes.length);
    }

    /**
     * Reads one array from a stream positioned at the start of a .npy file; reads exactly the array's bytes.
     *
     * @param source a name for the data used in error messages (a file name, an archive entry)
     */
    public static INDArray read(InputStream in, String source) {
        return read(in, source, defaultMaxBytes());
    }

    /**
     * {@link #read(InputStream, String)} refusing arrays whose data needs more than {@code maxBytes} bytes with
     * {@link InvalidInputException.TooLarge}, from the header, before reading the data.
     */
    public static INDArray read(InputStream in, String source, long maxBytes) {
        return read(in, source, maxBytes, -1);
    }

    /** @param available the bytes of the whole .npy stream if known (file or entry size), else -1 */
    static INDArray read(InputStream in, String source, long maxBytes, long available) {
        Checks.notNull(in, "in");
        try {
            Header h = readHeader(in, source);
            long count = h.count();
            long bytes = count > Long.MAX_VALUE / h.type.size ? Long.MAX_VALUE : count * h.type.size;
            if (bytes > maxBytes) {
                throw new InvalidInputException.TooLarge(source + ": npy header " + h.describe() + " declares " + bytes
                        + " bytes of data, over the limit of " + maxBytes + " bytes per array (set with -D"
                        + MAX_BYTES_PROPERTY + "=N or Npy.read(in, source, maxBytes))", maxBytes);
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw new ModelFormatException(source + ": array of " + count + " elements is too large");
            }
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new ModelFormatException(source + ": array of " + bytes + " bytes is too large");
            }
            if (available >= 0 && h.dataOffset() + bytes > available) {
                throw new ModelFormatException(source + ": truncated npy data: header " + h.describe() + " needs "
                        + bytes + " bytes of data, found " + Math.max(0, available - h.dataOffset()));
            }
            byte[] data = in.readNBytes((int) bytes);
            if (data.length != bytes) {
                throw new ModelFormatException(source + ": truncated npy data: header " + h.describe() + " needs "
                        + bytes + " bytes of data, found " + data.length);
            }
            return toArray(h, data);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /** The header of a .npy stream: element type, byte order, layout and shape. Consumes the header bytes. */
    static Header readHeader(InputStream in, String source) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8) {
            throw new ModelFormatException(source + ": not an npy file (only " + magic.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new ModelFormatException(source + ": not an npy file (bad magic "
                        + hex(Arrays.copyOf(magic, 6)) + ", expected 934e554d5059)");
            }
        }
        int major = magic[6] & 0xff;
        int minor = magic[7] & 0xff;
        long headerLen;
        if (major == 1) {
            byte[] len = readFully(in, 2, source, "header length");
            headerLen = (len[0] & 0xff) | ((len[1] & 0xff) << 8);
        } else if (major == 2 || major == 3) {
            byte[] len = readFully(in, 4, source, "header length");
            headerLen = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        } else {
            throw new ModelFormatException(source + ": unsupported npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        if (headerLen > MAX_HEADER) {
            throw new ModelFormatException(source + ": npy header of " + headerLen + " bytes is implausibly large");
        }
        byte[] hb = readFully(in, (int) headerLen, source, "header");
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();
        Header h = parseHeader(header, source);
        return new Header(h.type, h.order, h.fortran, h.shape, (major == 1 ? 10 : 12) + headerLen);
    }

    static Header parseHeader(String header, String source) {
        if (!header.startsWith("{") || !header.endsWith("}")) {
            throw new ModelFormatException(source + ": malformed npy header (not a dictionary): " + abbreviate(header));
        }
        Matcher keys = KEY.matcher(header);
        while (keys.find()) {
            String k = keys.group(1);
            if (!k.equals("descr") && !k.equals("fortran_order") && !k.equals("shape")) {
                throw new ModelFormatException(source + ": unexpected key '" + k + "' in npy header: " + abbreviate(header));
            }
        }
        Matcher d = DESCR.matcher(header);
        if (!d.find()) throw new ModelFormatException(source + ": npy header has no 'descr': " + abbreviate(header));
        if (d.group(1).equals("[")) {
            throw new ModelFormatException(source + ": structured npy arrays are not supported: " + abbreviate(header));
        }
        Matcher ds = DESCR_STRING.matcher(header);
        if (!ds.find()) throw new ModelFormatException(source + ": malformed 'descr' in npy header: " + abbreviate(header));
        String descr = ds.group(1);
        Matcher f = FORTRAN.matcher(header);
        if (!f.find()) {
            throw new ModelFormatException(source + ": npy header has no valid 'fortran_order': " + abbreviate(header));
        }
        boolean fortran = f.group(1).equals("True");
        Matcher s = SHAPE.matcher(header);
        if (!s.find()) throw new ModelFormatException(source + ": npy header has no valid 'shape': " + abbreviate(header));
        long[] shape = parseShape(s.group(1), source, header);
        if (descr.length() < 2) throw new ModelFormatException(source + ": unsupported npy dtype '" + descr + "'");
        char order = descr.charAt(0);
        String code = descr.substring(1);
        ElementType type = ElementType.of(code);
        if (type == null || (order != '<' && order != '>' && order != '|' && order != '=')) {
            throw new ModelFormatException(source + ": unsupported npy dtype '" + descr + "' (supported: f4, f8, i1, i2, "
                    + "i4, i8, u1, b1 in either byte order)");
        }
        ByteOrder bo = order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        if (order == '=') bo = ByteOrder.nativeOrder();
        return new Header(type, bo, fortran, shape);
    }

    private static long[] parseShape(String inner, String source, String header) {
        List<Long> dims = new ArrayList<>();
        for (String part : inner.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            if (p.endsWith("L")) p = p.substring(0, p.length() - 1); // Python 2 longs
            try {
                long v = Long.parseLong(p);
                if (v < 0) throw new NumberFormatException();
                dims.add(v);
            } catch (NumberFormatException e) {
                throw new ModelFormatException(source + ": bad dimension '" + part.strip() + "' in npy shape: "
                        + abbreviate(header));
            }
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = dims.get(i);
        return shape;
    }

    private static INDArray toArray(Header h, byte[] data) {
        int n = (int) h.count();
        // Fortran order: the data is the C-order layout of the transposed array.
        long[] storedShape = h.fortran ? reversed(h.shape) : h.shape;
        ByteBuffer buf = ByteBuffer.wrap(data).order(h.order);
        INDArray flat;
        if (n == 0) {
            return Nd4j.create(h.type.nd4j, h.shape);
        }
        switch (h.type) {
            case F4 -> {
                float[] v = new float[n];
                buf.asFloatBuffer().get(v);
                flat = Nd4j.createFromArray(v);
            }
            case F8 -> {
                double[] v = new double[n];
                buf.asDoubleBuffer().get(v);
                flat = Nd4j.createFromArray(v);
            }
            case I1 -> flat = Nd4j.createFromArray(data.clone());
            case I2 -> {
                short[] v = new short[n];
                buf.asShortBuffer().get(v);
                flat = Nd4j.createFromArray(v);
            }
            case I4 -> {
                int[] v = new int[n];
                buf.asIntBuffer().get(v);
                flat = Nd4j.createFromArray(v);
            }
            case I8 -> {
                long[] v = new long[n];
                buf.asLongBuffer().get(v);
                flat = Nd4j.createFromArray(v);
            }
            case U1 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) v[i] = data[i] & 0xff;
                flat = Nd4j.createFromArray(v).castTo(DataType.UINT8);
            }
            case B1 -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    if (data[i] != 0 && data[i] != 1) {
                        throw new ModelFormatException("bool npy data holds byte value " + (data[i] & 0xff)
                                + " at element " + i + " (expected 0 or 1)");
                    }
                    v[i] = data[i] != 0;
                }
                flat = Nd4j.createFromArray(v);
            }
            default -> throw new IllegalStateException(h.type.toString());
        }
        if (h.shape.length == 0) return flat.reshape(new long[0]);
        INDArray shaped = flat.reshape('c', storedShape);
        if (h.fortran && h.shape.length > 1) {
            int[] perm = new int[h.shape.length];
            for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
            shaped = shaped.permute(perm).dup('c');
        }
        return shaped;
    }

    // ------------------------------------------------------------------------------------------------ writing

    /** Writes {@code array} to {@code file} (little-endian, C order). */
    public static void write(INDArray array, Path file) {
        Checks.notNull(file, "file");
        byte[] bytes = toBytes(array);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new ModelFormatException("cannot write npy file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code array} as a .npy stream. */
    public static void write(INDArray array, OutputStream out) throws IOException {
        out.write(toBytes(array));
    }

    /** The bytes of a .npy file holding {@code array} (little-endian, C order). */
    public static byte[] toBytes(INDArray array) {
        Checks.notNull(array, "array");
        ElementType type = ElementType.of(array.dataType());
        if (type == null) {
            throw new IllegalArgumentException("cannot write " + array.dataType() + " arrays to npy (supported: FLOAT, "
                    + "DOUBLE, BYTE, SHORT, INT, LONG, UBYTE, BOOL)");
        }
        long[] shape = array.shape();
        long count = 1;
        for (long d : shape) count *= d;
        if (count * type.size > Integer.MAX_VALUE - 1024) {
            throw new IllegalArgumentException("array of " + count + " elements is too large for this writer");
        }
        byte[] header = header(type, shape);
        ByteBuffer buf = ByteBuffer.allocate(header.length + (int) (count * type.size)).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(header);
        if (count > 0) {
            INDArray c = array.dup('c');
            switch (type) {
                case F4 -> { for (float v : c.data().asFloat()) buf.putFloat(v); }
                case F8 -> { for (double v : c.data().asDouble()) buf.putDouble(v); }
                case I1 -> { for (int v : c.data().asInt()) buf.put((byte) v); }
                case I2 -> { for (int v : c.data().asInt()) buf.putShort((short) v); }
                case I4 -> { for (int v : c.data().asInt()) buf.putInt(v); }
                case I8 -> { for (long v : c.data().asLong()) buf.putLong(v); }
                case U1 -> { for (int v : c.data().asInt()) buf.put((byte) v); }
                case B1 -> { for (int v : c.data().asInt()) buf.put((byte) (v != 0 ? 1 : 0)); }
                default -> throw new IllegalStateException(type.toString());
            }
        }
        if (buf.position() != buf.capacity()) {
            throw new IllegalStateException("npy writer produced " + buf.position() + " bytes, expected " + buf.capacity());
        }
        return buf.array();
    }

    private static byte[] header(ElementType type, long[] shape) {
        StringBuilder s = new StringBuilder();
        s.append("{'descr': '").append(type == ElementType.I1 || type == ElementType.U1 || type == ElementType.B1 ? '|' : '<')
                .append(type.code).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            s.append(shape[i]);
            if (shape.length == 1 || i < shape.length - 1) s.append(shape.length == 1 ? "," : ", ");
        }
        s.append("), }");
        byte[] dict = s.toString().getBytes(StandardCharsets.ISO_8859_1);
        int prefix = 10; // magic(6) + version(2) + length(2)
        int major = 1;
        int total = align(prefix + dict.length + 1);
        if (total - prefix > 0xffff) {
            prefix = 12;
            major = 2;
            total = align(prefix + dict.length + 1);
        }
        int headerLen = total - prefix;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) b.putShort((short) headerLen); else b.putInt(headerLen);
        b.put(dict);
        while (b.position() < total - 1) b.put((byte) ' ');
        b.put((byte) '\n');
        return b.array();
    }

    private static int align(int n) { return (n + HEADER_ALIGN - 1) / HEADER_ALIGN * HEADER_ALIGN; }

    // ------------------------------------------------------------------------------------------------ helpers

    private static byte[] readFully(InputStream in, int n, String source, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new ModelFormatException(source + ": truncated npy " + what + " (expected " + n + " bytes, got "
                    + b.length + ")");
        }
        return b;
    }

    private static long[] reversed(long[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
        return r;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02x", x & 0xff));
        return s.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** The element types this class reads and writes. */
    enum ElementType {
        F4("f4", 4, DataType.FLOAT), F8("f8", 8, DataType.DOUBLE), I1("i1", 1, DataType.INT8),
        I2("i2", 2, DataType.INT16), I4("i4", 4, DataType.INT32), I8("i8", 8, DataType.INT64),
        U1("u1", 1, DataType.UINT8), B1("b1", 1, DataType.BOOL);

        final String code;
        final int size;
        final DataType nd4j;

        ElementType(String code, int size, DataType nd4j) {
            this.code = code;
            this.size = size;
            this.nd4j = nd4j;
        }

        static ElementType of(String code) {
            if (code.equals("?")) return B1;
            if (code.equals("b")) return I1;
            if (code.equals("B")) return U1;
            for (ElementType t : values()) if (t.code.equals(code)) return t;
            return null;
        }

        static ElementType of(DataType dt) {
            for (ElementType t : values()) if (t.nd4j == dt) return t;
            return null;
        }
    }

    /** A parsed .npy header. */
    record Header(ElementType type, ByteOrder order, boolean fortran, long[] shape, long dataOffset) {
        Header(ElementType type, ByteOrder order, boolean fortran, long[] shape) {
            this(type, order, fortran, shape, 0);
        }

        long count() {
            long n = 1;
            try {
                for (long d : shape) n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new ModelFormatException("npy shape " + Arrays.toString(shape) + " overflows");
            }
            return n;
        }

        String describe() {
            return type.code + " " + (order == ByteOrder.BIG_ENDIAN ? "big-endian" : "little-endian") + " "
                    + (fortran ? "Fortran-order " : "") + "shape " + Arrays.toString(shape);
        }
    }
}
