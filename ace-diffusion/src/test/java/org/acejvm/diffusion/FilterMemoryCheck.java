package org.acejvm.diffusion;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.onnx.OnnxModel;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Peak memory of F_tau (S=5, stochastic, learned range) for the published CelebA UNet structure at reduced width
 * (ace-core's fixture onnx/unet_celeba: 128x128, mult 1,1,2,3,4, 2 res blocks, attention 32/16/8, base width 24),
 * batch 1, forward + backward. Tagged slow (excluded by default); run alone so the figure is this test's:
 * <pre>
 * mvn -B -o -pl ace-diffusion -am test -Dtest=FilterMemoryCheck -Dsurefire.failIfNoSpecifiedTests=false -Ddiffusion.excludedGroups=none
 * </pre>
 */
@Tag("slow")
class FilterMemoryCheck {

    @Test
    void celebaStructureAt128() throws Exception {
        URL url = FilterMemoryCheck.class.getResource("/onnx/unet_celeba/model.onnx");
        assumeThat(url).as("ace-core test fixture onnx/unet_celeba").isNotNull();
        Path path = Path.of(url.toURI());
        report("JVM + ND4J started");
        long t0 = System.nanoTime();
        OnnxModel unet = OnnxModel.load(path);
        System.out.printf("loaded %s (%d MB, %d parameters) in %.1f s%n", path.getFileName(), Files.size(path) >> 20,
                unet.parameterCount(), (System.nanoTime() - t0) / 1e9);
        report("model loaded");
        DiffusionModel model = DiffusionModel.builder(unet, new ImageSpec(3, 128, 128))
                .schedule(NoiseSchedule.linear(500), "50").timestepType(unet.inputDataType("timesteps")).build();
        DdpmFilter filter = DdpmFilter.ofFraction(model, 0.1, true);
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 128, 128);
        INDArray up = Nd4j.randn(DataType.FLOAT, 1, 3, 128, 128);
        for (int i = 0; i < 3; i++) {
            long s = System.nanoTime();
            DdpmFilter.Gradient g = filter.gradient(x, up, new long[] {0}, i, NoiseSource.seeded(1));
            System.out.printf("F_tau S=%d forward+backward #%d: %.1f s, |grad| mean %.3e%n", filter.steps(), i + 1,
                    (System.nanoTime() - s) / 1e9, g.gradient().ameanNumber().doubleValue());
            report("after forward+backward #" + (i + 1));
        }
        long s = System.nanoTime();
        filter.filter(x, new long[] {0}, 9, NoiseSource.seeded(1));
        System.out.printf("F_tau forward only: %.1f s%n", (System.nanoTime() - s) / 1e9);
        report("end");
    }

    static void report(String when) throws IOException {
        String hwm = "?", rss = "?";
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) hwm = line.substring(6).trim();
            if (line.startsWith("VmRSS:")) rss = line.substring(6).trim();
        }
        Runtime rt = Runtime.getRuntime();
        System.out.printf("[memory] %-28s VmHWM %s, VmRSS %s, heap used %d MB, JavaCPP physical %d MB%n", when, hwm, rss,
                (rt.totalMemory() - rt.freeMemory()) >> 20, Pointer.physicalBytes() >> 20);
    }
}
