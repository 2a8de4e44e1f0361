package org.acejvm.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir Path tmp;

    /** A hand-made IDX file: {@code type}, dims, then the given data bytes. */
    static byte[] idx(int type, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(type << 8 | dims.length);
        for (int d : dims) out.writeInt(d);
        out.write(data);
        return b.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(data);
        }
        return b.toByteArray();
    }

    static byte[] ramp(int n) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) d[i] = (byte) (i * 7);
        return d;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        byte[] data = ramp(5 * 3 * 2);
        byte[] plain = idx(0x08, new int[] {5, 3, 2}, data);
        for (Path p : new Path[] {write("a.idx", plain), write("a.idx.gz", gzip(plain)), write("misleading.gz", plain)}) {
            try (Idx.Reader r = Idx.open(p)) {
                assertThat(r.header().type()).isEqualTo(Idx.Type.UBYTE);
                assertThat(r.header().dims()).containsExactly(5, 3, 2);
                assertThat(r.header().magic()).isEqualTo(0x0803);
                assertThat(r.header().itemElements()).isEqualTo(6);
                assertThat(r.readItems(2)).isEqualTo(Arrays.copyOfRange(data, 0, 12));
                r.skipItems(1);
                assertThat(r.position()).isEqualTo(3);
                assertThat(r.readItems(2)).isEqualTo(Arrays.copyOfRange(data, 18, 30));
                assertThatThrownBy(() -> r.readItems(1)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("holds 5");
            }
        }
    }

    @Test
    void readsARangeAndChecksTheMagicNumber() throws IOException {
        byte[] data = ramp(10 * 4);
        Path p = write("b.gz", gzip(idx(0x08, new int[] {10, 2, 2}, data)));
        Idx.Data d = Idx.readUnsignedBytes(p, 0x0803, 3, 4);
        assertThat(d.bytes()).isEqualTo(Arrays.copyOfRange(data, 12, 28));
        assertThat(d.header().items()).isEqualTo(10);
        assertThatThrownBy(() -> Idx.readUnsignedBytes(p, 0x0801, 0, 1)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("expected IDX magic number 0x00000801, got 0x00000803");
        assertThatThrownBy(() -> Idx.readUnsignedBytes(p, 0x0803, 8, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range");
        Path labels = write("l", idx(0x08, new int[] {4}, new byte[] {1, 2, 3, 9}));
        assertThat(Idx.readUnsignedBytes(labels, 0x0801, 0, 4).bytes()).containsExactly(1, 2, 3, 9);
        Path ints = write("i", idx(0x0C, new int[] {1}, new byte[4]));
        assertThatThrownBy(() -> Idx.readUnsignedBytes(ints, 0x0C01, 0, 1)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unsigned bytes");
        try (Idx.Reader r = Idx.open(ints)) {
            assertThat(r.header().type()).isEqualTo(Idx.Type.INT);
            assertThat(r.readItems(1)).hasSize(4);
        }
    }

    @Test
    void rejectsCorruptFilesWithClearMessages() throws IOException {
        Path notIdx = write("text", "hello world, not idx".getBytes());
        assertThatThrownBy(() -> Idx.open(notIdx)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not an IDX file");
        Path badType = write("t", idx(0x07, new int[] {1}, new byte[1]));
        assertThatThrownBy(() -> Idx.open(badType)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unknown IDX data type 0x07");
        Path shortHeader = write("s", new byte[] {0, 0, 8, 3, 0, 0});
        assertThatThrownBy(() -> Idx.open(shortHeader)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("truncated IDX header");
        byte[] full = idx(0x08, new int[] {4, 2}, ramp(8));
        Path truncated = write("tr", Arrays.copyOf(full, full.length - 3));
        assertThatThrownBy(() -> Idx.readUnsignedBytes(truncated, 0x0802, 0, 4)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("truncated IDX data");
        byte[] gz = gzip(idx(0x08, new int[] {400}, ramp(400)));
        Path truncatedGz = write("tr.gz", Arrays.copyOf(gz, gz.length / 2));
        assertThatThrownBy(() -> Idx.readUnsignedBytes(truncatedGz, 0x0801, 0, 400)).isInstanceOf(ModelFormatException.class);
        byte[] damaged = gz.clone();
        for (int i = 12; i < damaged.length - 8; i++) damaged[i] = (byte) 0xff;
        Path damagedGz = write("d.gz", damaged);
        assertThatThrownBy(() -> Idx.readUnsignedBytes(damagedGz, 0x0801, 0, 400)).isInstanceOf(ModelFormatException.class);
        assertThatThrownBy(() -> Idx.open(tmp.resolve("missing"))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void readsTheDebianFashionMnistHeaders() {
        Path dir = FashionMnist.defaultDirectory();
        FashionMnistTest.requireData(dir);
        try (Idx.Reader r = Idx.open(dir.resolve("train-images-idx3-ubyte.gz"))) {
            assertThat(r.header().magic()).isEqualTo(0x0803);
            assertThat(r.header().dims()).containsExactly(60000, 28, 28);
        }
        try (Idx.Reader r = Idx.open(dir.resolve("t10k-labels-idx1-ubyte.gz"))) {
            assertThat(r.header().magic()).isEqualTo(0x0801);
            assertThat(r.header().dims()).containsExactly(10000);
        }
    }
}
