package org.acejvm.refine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Targets;
import org.acejvm.attacks.TinyNets;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.io.Images;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;
import org.acejvm.diffusion.DiffusionModel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A long run in one process: 1,000 explanations (ACE on the toy models: a PNG decoded from bytes, attacked through the
 * diffusion filter, inpainted, written as JSON), a fresh {@link Explainer} every 100 (its graphs built anew, the old
 * ones left to the garbage collector). The resident memory (VmRSS), sampled after a garbage collection every 50
 * explanations, stays flat after a warm-up of 200: no later sample is more than {@link #RSS_BOUND} above the one at
 * the end of the warm-up (a leak of 64 KiB per explanation would exceed it). The library leaves no temporary file.
 *
 * <p>Excluded from the default build (tag {@code soak}, about two minutes); run it with
 *
 * <pre>
 * mvn -B -o -pl ace-refine -am test -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false -Drefine.excludedGroups=none
 * </pre>
 */
@Tag("soak")
class SoakTest {
    static final int EXPLANATIONS = 1000;
    static final int SAMPLE_EVERY = 50;
    static final int WARM_UP = 200;
    static final int NEW_EXPLAINER_EVERY = 100;
    static final long RSS_BOUND = 48L << 20;

    @Test
    void thousandExplanationsKeepMemoryFlatAndLeaveNoTemporaryFiles() throws Exception {
        SameDiffClassifier classifier = TinyNets.convDense(3, 61);
        DiffusionModel model = ToyDiffusion.model();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Set<Path> tmpBefore = list(tmp);
        INDArray images = TinyNets.images(EXPLANATIONS, 7, 0.05, 0.95);

        List<long[]> samples = new ArrayList<>(); // {explanations done, RSS bytes, heap used bytes}
        samples.add(sample(0));
        Explainer explainer = null;
        long flips = 0;
        for (int i = 0; i < EXPLANATIONS; i++) {
            if (i % NEW_EXPLAINER_EVERY == 0) {
                explainer = Explainer.builder(classifier).diffusion(model, ToyDiffusion.FRACTION).mask(new MaskSettings(3, 0.15))
                        .attackSettings(AttackSettings.builder().iterations(3).step(4.0 / 255).build()).seed(i).batchSize(1).build();
            }
            INDArray x = Images.decode(png(images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i))), "image " + i, 1);
            Explanation e = explainer.explain(x, Targets.untargeted(), new long[] {i}).get(0);
            assertThat(ExplanationJson.fromJson(ExplanationJson.toJson(e))).isEqualTo(e);
            if (e.success()) flips++;
            if ((i + 1) % SAMPLE_EVERY == 0) samples.add(sample(i + 1));
        }

        StringBuilder table = new StringBuilder("explanations | VmRSS MiB | heap used MiB\n");
        for (long[] s : samples) table.append(String.format(Locale.ROOT, "%d | %.1f | %.1f%n", s[0], s[1] / 1048576.0, s[2] / 1048576.0));
        System.out.println("SoakTest: " + EXPLANATIONS + " explanations, " + flips + " flipped\n" + table);

        long atWarmUp = samples.stream().filter(s -> s[0] == WARM_UP).findFirst().orElseThrow()[1];
        for (long[] s : samples) {
            if (s[0] > WARM_UP) {
                assertThat(s[1] - atWarmUp).as("VmRSS growth after %d explanations, bytes\n%s", s[0], table).isLessThanOrEqualTo(RSS_BOUND);
            }
        }
        Set<Path> left = new HashSet<>(list(tmp));
        left.removeAll(tmpBefore);
        List<Path> ours = left.stream().filter(SoakTest::libraryTempFile).toList();
        if (!left.isEmpty()) System.out.println("SoakTest: new entries in " + tmp + " (other processes share it): " + left);
        assertThat(ours).as("temporary files the library (ImageIO, JavaCPP, ND4J, ONNX copies) left in " + tmp).isEmpty();
    }

    /** Names of temporary files that this process's libraries would create. */
    private static boolean libraryTempFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.startsWith("imageio") || n.startsWith("javacpp") || n.startsWith("nd4j") || n.startsWith("ace")
                || n.endsWith(".onnx") || n.endsWith(".npz") || n.endsWith(".npy");
    }

    private static byte[] png(INDArray image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(Images.toBufferedImage(image), "png", out);
        return out.toByteArray();
    }

    private static long[] sample(int done) throws Exception {
        System.gc();
        Thread.sleep(200); // JavaCPP frees native memory of collected arrays on its own thread
        Runtime rt = Runtime.getRuntime();
        return new long[] {done, vmRssBytes(), rt.totalMemory() - rt.freeMemory()};
    }

    static long vmRssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static Set<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new HashSet<>(s.toList());
        }
    }
}
