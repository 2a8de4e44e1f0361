package org.acejvm.core.io;

import static org.acejvm.core.io.NpyTest.assertSame;
import static org.acejvm.core.io.NpyTest.bools;
import static org.acejvm.core.io.NpyTest.floats;
import static org.acejvm.core.io.NpyTest.longs;
import static org.acejvm.core.io.NpyTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class NpzTest {
    @TempDir Path tmp;

    private static Map<String, INDArray> expected() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("conv/W", floats(DataType.FLOAT, 3, 3, 1, 2));
        m.put("bias", floats(DataType.FLOAT, 2));
        m.put("labels", longs(5));
        m.put("mask", bools(2, 2));
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"stored.npz", "deflated.npz"})
    void readsArchivesWrittenByNumpy(String file) throws Exception {
        Path p = tmp.resolve(file);
        Files.write(p, resource(file));
        for (Map<String, INDArray> got : new Map[] {Npz.read(p), Npz.read(new ByteArrayInputStream(resource(file)), file)}) {
            assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(expected().keySet());
            expected().forEach((k, v) -> assertSame(got.get(k), v));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void roundTripsArraysAndOtherEntries(boolean compressed) {
        Path p = tmp.resolve("w.npz");
        byte[] json = "{\"architecture\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        Npz.write(p, expected(), Map.of("header.json", json), compressed);
        Npz.Contents c = Npz.readContents(p);
        assertThat(c.arrays().keySet()).containsExactlyElementsOf(expected().keySet()); // order kept
        expected().forEach((k, v) -> assertSame(c.array(k), v));
        assertThat(c.otherEntries().get("header.json")).isEqualTo(json);
        assertThat(Npz.read(p)).doesNotContainKey("header.json");
        assertThatThrownBy(() -> c.array("nope")).isInstanceOf(ModelFormatException.class).hasMessageContaining("conv/W");
    }

    @Test
    void writingIsReproducibleAndCompressionShrinksRedundantData() throws Exception {
        Map<String, INDArray> m = Map.of("zeros", org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 100, 100));
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Npz.write(a, m, Map.of(), true);
        Thread.sleep(5);
        Npz.write(b, m, Map.of(), true);
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        Npz.write(stored, m, Map.of(), false);
        assertThat(a.size()).isLessThan(stored.size() / 10);
    }

    @Test
    void rejectsCorruptArchives() throws Exception {
        Path notZip = tmp.resolve("not.npz");
        Files.writeString(notZip, "hello, this is not a zip file");
        assertThatThrownBy(() -> Npz.read(notZip)).isInstanceOf(ModelFormatException.class).hasMessageContaining("npz");
        assertThatThrownBy(() -> Npz.read(new ByteArrayInputStream("nope".getBytes()), "res"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("not an npz");

        byte[] good = resource("stored.npz");
        Path truncated = tmp.resolve("truncated.npz");
        Files.write(truncated, Arrays.copyOf(good, good.length / 2));
        assertThatThrownBy(() -> Npz.read(truncated)).isInstanceOf(ModelFormatException.class);

        // a stored archive whose first array has its data damaged: the entry CRC no longer matches
        byte[] damaged = good.clone();
        damaged[200] ^= 0x55;
        Path d = tmp.resolve("damaged.npz");
        Files.write(d, damaged);
        assertThatThrownBy(() -> Npz.read(d)).isInstanceOf(ModelFormatException.class).hasMessageContaining("CRC");
        assertThatThrownBy(() -> Npz.read(new ByteArrayInputStream(damaged), "damaged")).isInstanceOf(ModelFormatException.class);

        // an entry named .npy that holds no npy data
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bad)) {
            z.putNextEntry(new java.util.zip.ZipEntry("x.npy"));
            z.write("not numpy".getBytes());
            z.closeEntry();
        }
        Path bogus = tmp.resolve("bogus.npz");
        Files.write(bogus, bad.toByteArray());
        assertThatThrownBy(() -> Npz.read(bogus)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("x.npy").hasMessageContaining("not an npy file");
        assertThatThrownBy(() -> Npz.read(tmp.resolve("missing.npz"))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not found");
    }

    // ---- declared sizes are checked before anything is allocated ----

    /** An .npy header declaring float32 of {@code shape}, padded as NumPy does. */
    private static byte[] npyHeader(String shape) {
        StringBuilder d = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }");
        while ((10 + d.length() + 1) % 64 != 0) d.append(' ');
        d.append('\n');
        byte[] dict = d.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = Arrays.copyOf(Npy.MAGIC, 10 + dict.length);
        out[6] = 1;
        out[8] = (byte) dict.length;
        out[9] = (byte) (dict.length >> 8);
        System.arraycopy(dict, 0, out, 10, dict.length);
        return out;
    }

    /** A one-entry archive: {@code header} then {@code zeros} zero bytes, stored or deflated (written in 1 MiB chunks). */
    private Path archive(String name, String entry, byte[] header, long zeros, boolean deflated) throws Exception {
        Path p = tmp.resolve(name);
        try (OutputStream f = Files.newOutputStream(p); ZipOutputStream zip = new ZipOutputStream(f)) {
            ZipEntry e = new ZipEntry(entry);
            byte[] chunk = new byte[1 << 20];
            if (!deflated) {
                CRC32 crc = new CRC32();
                crc.update(header);
                for (long left = zeros; left > 0; left -= chunk.length) crc.update(chunk, 0, (int) Math.min(chunk.length, left));
                e.setMethod(ZipEntry.STORED);
                e.setSize(header.length + zeros);
                e.setCompressedSize(header.length + zeros);
                e.setCrc(crc.getValue());
            }
            zip.putNextEntry(e);
            zip.write(header);
            for (long left = zeros; left > 0; left -= chunk.length) zip.write(chunk, 0, (int) Math.min(chunk.length, left));
            zip.closeEntry();
        }
        return p;
    }

    private static long allocatedBytes(Runnable r) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId(), b0 = mx.getThreadAllocatedBytes(id);
        r.run();
        return mx.getThreadAllocatedBytes(id) - b0;
    }

    @Test
    void anEntryOfOneMegabyteDeclaringAGigabyteIsRefusedFromItsHeader() throws Exception {
        Path p = archive("declares1g.npz", "x.npy", npyHeader("268435456,"), 1 << 20, false);
        assertThat(Files.size(p)).isLessThan(2 << 20);
        for (boolean stream : new boolean[] {false, true}) {
            long bytes = allocatedBytes(() -> assertThatThrownBy(() -> {
                if (stream) Npz.read(Files.newInputStream(p), "res"); else Npz.read(p);
            }).isInstanceOf(InvalidInputException.TooLarge.class).hasMessageContaining("declares 1073741824 bytes")
                    .hasMessageContaining("limit of " + Npy.DEFAULT_MAX_BYTES).hasMessageContaining(Npy.MAX_BYTES_PROPERTY));
            assertThat(bytes).as("bytes allocated while refusing").isLessThan(16L << 20);
        }
    }

    @Test
    void aDeflatedEntryThatUnpacksToMoreThanTheLimitIsRefusedBeforeItIsRead() throws Exception {
        // 64 MiB of zeros deflate to about 64 KiB; the header tells the truth, the limit is 1 MiB
        Path bomb = archive("bomb.npz", "x.npy", npyHeader("16777216,"), 64L << 20, true);
        assertThat(Files.size(bomb)).isLessThan(1 << 20);
        long bytes = allocatedBytes(() -> assertThatThrownBy(() -> Npz.readContents(bomb, 1 << 20))
                .isInstanceOf(InvalidInputException.TooLarge.class).hasMessageContaining("declares 67108864 bytes")
                .satisfies(e -> assertThat(((InvalidInputException.TooLarge) e).limit()).isEqualTo(1 << 20)));
        assertThat(bytes).as("bytes allocated while refusing").isLessThan(16L << 20);
        Path other = archive("other.npz", "notes.json", new byte[0], 2 << 20, true);
        assertThatThrownBy(() -> Npz.readContents(other, 1 << 20)).isInstanceOf(InvalidInputException.TooLarge.class)
                .hasMessageContaining("notes.json");
        assertThat(Npz.readContents(other, 2 << 20).otherEntries().get("notes.json")).hasSize(2 << 20);
    }

    @Test
    void anEntryHoldingLessThanItsHeaderDeclaresIsTruncated() throws Exception {
        Path p = archive("short.npz", "x.npy", npyHeader("65536,"), 1024, false);
        assertThatThrownBy(() -> Npz.read(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("truncated").hasMessageContaining("262144 bytes").hasMessageContaining("found 1024");
        Path npy = tmp.resolve("declares1g.npy");
        byte[] h = npyHeader("268435456,");
        Files.write(npy, Arrays.copyOf(h, h.length + 1024));
        assertThatThrownBy(() -> Npy.read(npy)).isInstanceOf(InvalidInputException.TooLarge.class);
        assertThatThrownBy(() -> Npy.read(Files.newInputStream(npy), "x", 1L << 40)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("found 1024");
    }
    /** Fuzzing finding: an entry name that is not UTF-8 made java.util.zip throw IllegalArgumentException. */
    @Test
    void anEntryNameThatIsNotUtf8IsAFormatError() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npz.write(out, Map.of("x", floats(DataType.FLOAT, 2)), Map.of(), false);
        byte[] bytes = out.toByteArray();
        for (int i = 0; i + 5 <= bytes.length; i++) { // the name in the local and in the central header
            if (new String(bytes, i, 5, StandardCharsets.ISO_8859_1).equals("x.npy")) bytes[i] = (byte) 0xff;
        }
        assertThatThrownBy(() -> Npz.readContents(new ByteArrayInputStream(bytes), "bad-name.npz"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("bad-name.npz").hasMessageContaining("UTF-8");
        Path f = tmp.resolve("bad-name.npz");
        Files.write(f, bytes);
        assertThatThrownBy(() -> Npz.readContents(f)).isInstanceOf(ModelFormatException.class).hasMessageContaining("bad-name.npz");
    }
}
