package org.acejvm.examples.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.acejvm.core.ModelFormatException;

/**
 * Reader for the IDX format of MNIST-style data sets (big-endian header {@code 0x00 0x00 type rank}, then one
 * big-endian 32-bit size per dimension, then the data in C order). Files may be gzip-compressed; compression is
 * detected from the content, not the name. Items (slices along the first dimension) are read sequentially, so a
 * prefix of a large file can be read without decompressing the rest.
 */
public final class Idx {

    /** IDX element types and their type codes. */
    public enum Type {
        UBYTE(0x08, 1), BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        public final int code;
        public final int size;

        Type(int code, int size) {
            this.code = code;
            this.size = size;
        }

        static Type of(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }
    }

    /** The header of an IDX file. */
    public record Header(Type type, int[] dims) {
        public Header {
            dims = dims.clone();
        }

        public int rank() { return dims.length; }

        /** Number of items (the first dimension). */
        public int items() { return dims[0]; }

        /** Elements per item (product of the other dimensions). */
        public int itemElements() {
            long n = 1;
            for (int i = 1; i < dims.length; i++) n *= dims[i];
            return (int) n;
        }

        /** The 32-bit magic number: {@code type << 8 | rank}. */
        public int magic() { return type.code << 8 | dims.length; }

        @Override public int[] dims() { return dims.clone(); }

        @Override public String toString() { return type + Arrays.toString(dims); }
    }

    private Idx() {}

    /** Opens an IDX file (plain or gzip) and reads its header. */
    public static Reader open(Path file) {
        if (file == null) throw new IllegalArgumentException("file must not be null");
        InputStream raw;
        try {
            raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("IDX file not found: " + file, e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot open IDX file " + file + ": " + e.getMessage(), e);
        }
        try {
            return new Reader(raw, file.toString());
        } catch (RuntimeException e) {
            closeQuietly(raw);
            throw e;
        }
    }

    /** Reads an IDX stream (plain or gzip) and its header; {@code source} names it in error messages. */
    public static Reader open(InputStream in, String source) {
        return new Reader(in.markSupported() ? in : new BufferedInputStream(in, 1 << 16), source);
    }

    /**
     * Reads unsigned bytes from an IDX file of type UBYTE whose magic number is {@code expectedMagic} (e.g.
     * {@code 0x0803} for images, {@code 0x0801} for labels): items {@code [offset, offset + count)}.
     *
     * @return the header of the whole file and the bytes of the requested items
     */
    public static Data readUnsignedBytes(Path file, int expectedMagic, int offset, int count) {
        try (Reader r = open(file)) {
            Header h = r.header();
            if (h.magic() != expectedMagic) {
                throw new ModelFormatException(file + ": expected IDX magic number 0x" + String.format("%08x", expectedMagic)
                        + ", got 0x" + String.format("%08x", h.magic()) + " (" + h + ")");
            }
            if (h.type() != Type.UBYTE) throw new ModelFormatException(file + ": expected unsigned bytes, got " + h);
            if (offset < 0 || count < 0 || (long) offset + count > h.items()) {
                throw new IllegalArgumentException("items [" + offset + ", " + ((long) offset + count) + ") out of range: "
                        + file + " holds " + h.items());
            }
            r.skipItems(offset);
            return new Data(h, r.readItems(count));
        }
    }

    /** A header and raw item bytes. */
    public record Data(Header header, byte[] bytes) {}

    /** Sequential access to the items of one IDX file. */
    public static final class Reader implements Closeable {
        private final DataInputStream in;
        private final String source;
        private final Header header;
        private int position;

        private Reader(InputStream raw, String source) {
            this.source = source;
            InputStream s = raw;
            try {
                raw.mark(2);
                int b0 = raw.read();
                int b1 = raw.read();
                raw.reset();
                if (b0 == 0x1f && b1 == 0x8b) s = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
                this.in = new DataInputStream(s);
                this.header = readHeader();
            } catch (ZipException e) {
                throw new ModelFormatException(source + ": corrupt gzip data: " + e.getMessage(), e);
            } catch (EOFException e) {
                throw new ModelFormatException(source + ": truncated IDX header", e);
            } catch (IOException e) {
                throw new ModelFormatException("cannot read IDX " + source + ": " + e.getMessage(), e);
            }
        }

        private Header readHeader() throws IOException {
            int magic = in.readInt();
            if ((magic >>> 16) != 0) {
                throw new ModelFormatException(source + ": not an IDX file (magic number 0x" + String.format("%08x", magic)
                        + " does not start with two zero bytes)");
            }
            Type type = Type.of((magic >>> 8) & 0xff);
            if (type == null) {
                throw new ModelFormatException(source + ": unknown IDX data type 0x"
                        + String.format("%02x", (magic >>> 8) & 0xff) + " (magic 0x" + String.format("%08x", magic) + ")");
            }
            int rank = magic & 0xff;
            if (rank < 1) throw new ModelFormatException(source + ": IDX file of rank 0");
            int[] dims = new int[rank];
            long total = type.size;
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) throw new ModelFormatException(source + ": negative IDX dimension " + dims[i]);
                total *= Math.max(1, dims[i]);
                if (total > Integer.MAX_VALUE) {
                    throw new ModelFormatException(source + ": IDX dimensions " + Arrays.toString(dims) + " too large");
                }
            }
            return new Header(type, dims);
        }

        public Header header() { return header; }

        /** Items read or skipped so far. */
        public int position() { return position; }

        /** The raw (big-endian) bytes of the next {@code count} items. */
        public byte[] readItems(int count) {
            check(count);
            long n = (long) count * header.itemElements() * header.type().size;
            byte[] b = new byte[(int) n];
            try {
                in.readFully(b);
            } catch (EOFException e) {
                throw truncated(e);
            } catch (IOException e) {
                throw new ModelFormatException("cannot read IDX " + source + ": " + e.getMessage(), e);
            }
            position += count;
            return b;
        }

        /** Skips the next {@code count} items. */
        public void skipItems(int count) {
            check(count);
            long n = (long) count * header.itemElements() * header.type().size;
            try {
                while (n > 0) {
                    long s = in.skip(n);
                    if (s <= 0) {
                        if (in.read() < 0) throw new EOFException();
                        s = 1;
                    }
                    n -= s;
                }
            } catch (EOFException e) {
                throw truncated(e);
            } catch (IOException e) {
                throw new ModelFormatException("cannot read IDX " + source + ": " + e.getMessage(), e);
            }
            position += count;
        }

        private void check(int count) {
            if (count < 0 || (long) position + count > header.items()) {
                throw new IllegalArgumentException("cannot read " + count + " items at position " + position + " of "
                        + source + ", which holds " + header.items());
            }
        }

        private ModelFormatException truncated(Exception e) {
            return new ModelFormatException(source + ": truncated IDX data: header " + header + " promises "
                    + header.items() + " items", e);
        }

        @Override
        public void close() {
            closeQuietly(in);
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            if (c != null) c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
