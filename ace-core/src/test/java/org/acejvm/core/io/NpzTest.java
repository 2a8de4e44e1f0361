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
}
