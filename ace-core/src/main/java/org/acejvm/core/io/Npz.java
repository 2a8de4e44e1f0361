package org.acejvm.core.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads and writes NumPy {@code .npz} archives (a zip file of {@code .npy} entries, stored or deflated) to and from
 * named {@link INDArray}s, as {@code numpy.savez} / {@code numpy.savez_compressed} / {@code numpy.load} do.
 *
 * <p>Array names are the entry names without the {@code .npy} suffix, in archive order. Entries that are not
 * {@code .npy} files (e.g. a JSON header a model file carries) are available through {@link #readContents}.
 * Written archives are byte-for-byte reproducible: entry times are fixed and entries keep the map's order.
 */
public final class Npz {
    private static final String SUFFIX = ".npy";
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    private Npz() {}

    /** The arrays and other entries of an archive, each in archive order. */
    public record Contents(Map<String, INDArray> arrays, Map<String, byte[]> otherEntries) {
        public Contents {
            arrays = Collections.unmodifiableMap(new LinkedHashMap<>(arrays));
            otherEntries = Collections.unmodifiableMap(new LinkedHashMap<>(otherEntries));
        }

        /** An array by name, or a {@link ModelFormatException} naming what the archive holds. */
        public INDArray array(String name) {
            INDArray a = arrays.get(name);
            if (a == null) throw new ModelFormatException("no array '" + name + "' in npz archive; it holds " + arrays.keySet());
            return a;
        }
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** The arrays of an .npz file, by name, in archive order (entries that are not .npy files are skipped). */
    public static Map<String, INDArray> read(Path file) {
        return readContents(file).arrays();
    }

    /** The arrays of an .npz stream (e.g. a classpath resource), in archive order. */
    public static Map<String, INDArray> read(InputStream in, String source) {
        return readContents(in, source).arrays();
    }

    /** The arrays and other entries of an .npz file. */
    public static Contents readContents(Path file) {
        return readContents(file, Npy.defaultMaxBytes());
    }

    /**
     * The arrays and other entries of an .npz file, refusing with {@link InvalidInputException.TooLarge} an array
     * whose header declares more than {@code maxBytes} bytes of data, or another entry longer than that, before it is
     * read: a deflated entry of a megabyte can unpack to a gigabyte.
     */
    public static Contents readContents(Path file, long maxBytes) {
        Checks.notNull(file, "file");
        if (!Files.isRegularFile(file)) throw new ModelFormatException("npz file not found: " + file);
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        Map<String, byte[]> others = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) continue;
                // read as a stream, so that only the sizes the headers declare (within maxBytes) are allocated
                try (CheckedInputStream in = new CheckedInputStream(zip.getInputStream(e), new CRC32())) {
                    add(e.getName(), in, file + "!" + e.getName(), arrays, others, maxBytes, e.getSize());
                    // ZipFile does not verify checksums; a damaged weight file must not load silently
                    long crc = in.getChecksum().getValue();
                    if (e.getCrc() != -1 && crc != e.getCrc()) {
                        throw new ModelFormatException(file + "!" + e.getName() + ": corrupt npz entry (CRC mismatch: stored "
                                + Long.toHexString(e.getCrc()) + ", computed " + Long.toHexString(crc) + ")");
                    }
                }
            }
        } catch (ZipException e) {
            throw new ModelFormatException(file + ": not a valid npz (zip) archive: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read npz file " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw badEntryName(file.toString(), e);
        }
        return new Contents(arrays, others);
    }

    /** The arrays and other entries of an .npz stream. */
    public static Contents readContents(InputStream in, String source) {
        return readContents(in, source, Npy.defaultMaxBytes());
    }

    /** {@link #readContents(InputStream, String)} with the limit of {@link #readContents(Path, long)}. */
    public static Contents readContents(InputStream in, String source, long maxBytes) {
        Checks.notNull(in, "in");
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        Map<String, byte[]> others = new LinkedHashMap<>();
        int count = 0;
        try {
            byte[] bytes = in.readAllBytes();
            if (bytes.length < 4 || bytes[0] != 'P' || bytes[1] != 'K') {
                throw new ModelFormatException(source + ": not an npz (zip) archive (" + bytes.length
                        + " bytes, no zip signature)");
            }
            try (ZipInputStream zin = new ZipInputStream(new ByteArrayInputStream(bytes))) {
                ZipEntry e;
                while ((e = zin.getNextEntry()) != null) {
                    count++;
                    if (e.isDirectory()) continue;
                    add(e.getName(), zin, source + "!" + e.getName(), arrays, others, maxBytes, -1);
                }
            }
        } catch (ZipException e) {
            throw new ModelFormatException(source + ": not a valid npz (zip) archive: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read npz " + source + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw badEntryName(source, e);
        }
        if (count == 0) throw new ModelFormatException(source + ": npz (zip) archive has no entries or is corrupt");
        return new Contents(arrays, others);
    }

    /** java.util.zip throws IllegalArgumentException for an entry name that is not valid UTF-8. */
    private static ModelFormatException badEntryName(String source, IllegalArgumentException e) {
        return new ModelFormatException(source + ": not a valid npz (zip) archive: an entry name is not valid UTF-8 ("
                + e.getMessage() + ")", e);
    }

    /** Reads one entry to its end; {@code size} is its uncompressed size if the archive says (-1 if not). */
    private static void add(String entry, InputStream in, String source, Map<String, INDArray> arrays,
                            Map<String, byte[]> others, long maxBytes, long size) throws IOException {
        if (entry.endsWith(SUFFIX)) {
            String name = entry.substring(0, entry.length() - SUFFIX.length());
            if (arrays.containsKey(name)) throw new ModelFormatException(source + ": duplicate array '" + name + "'");
            arrays.put(name, Npy.read(in, source, maxBytes, size));
            if (in.read() != -1) {
                throw new ModelFormatException(source + ": trailing bytes after the array data");
            }
        } else {
            if (others.containsKey(entry)) throw new ModelFormatException(source + ": duplicate entry '" + entry + "'");
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (data.length > maxBytes || in.read() != -1) {
                throw new InvalidInputException.TooLarge(source + ": npz entry is over the limit of " + maxBytes
                        + " bytes (set with -D" + Npy.MAX_BYTES_PROPERTY + "=N or Npz.readContents(file, maxBytes))", maxBytes);
            }
            others.put(entry, data);
        }
    }

    // ------------------------------------------------------------------------------------------------ writing

    /** Writes named arrays to an .npz file; {@code compressed} deflates the entries (as numpy.savez_compressed). */
    public static void write(Path file, Map<String, INDArray> arrays, boolean compressed) {
        write(file, arrays, Map.of(), compressed);
    }

    /** Writes named arrays and other (e.g. JSON) entries to an .npz file. */
    public static void write(Path file, Map<String, INDArray> arrays, Map<String, byte[]> otherEntries, boolean compressed) {
        Checks.notNull(file, "file");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (OutputStream out = Files.newOutputStream(file)) {
                write(out, arrays, otherEntries, compressed);
            }
        } catch (IOException e) {
            throw new ModelFormatException("cannot write npz file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes an .npz archive to a stream (the stream is not closed). */
    public static void write(OutputStream out, Map<String, INDArray> arrays, Map<String, byte[]> otherEntries,
                             boolean compressed) throws IOException {
        Checks.notNull(arrays, "arrays");
        Checks.notNull(otherEntries, "otherEntries");
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.setLevel(9);
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            checkName(e.getKey());
            putEntry(zip, e.getKey() + SUFFIX, Npy.toBytes(e.getValue()), compressed);
        }
        for (Map.Entry<String, byte[]> e : otherEntries.entrySet()) {
            checkName(e.getKey());
            if (e.getKey().endsWith(SUFFIX)) {
                throw new IllegalArgumentException("other entry '" + e.getKey() + "' must not end with " + SUFFIX);
            }
            if (arrays.containsKey(e.getKey())) throw new IllegalArgumentException("duplicate entry name " + e.getKey());
            putEntry(zip, e.getKey(), e.getValue(), compressed);
        }
        zip.finish();
        zip.flush();
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("npz entry names must not be empty");
    }

    private static void putEntry(ZipOutputStream zip, String name, byte[] data, boolean compressed) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(FIXED_TIME);
        if (compressed) {
            entry.setMethod(ZipEntry.DEFLATED);
        } else {
            CRC32 crc = new CRC32();
            crc.update(data);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(data.length);
            entry.setCompressedSize(data.length);
            entry.setCrc(crc.getValue());
        }
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }
}
