package org.acejvm.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.onnx.OnnxModel;
import org.acejvm.diffusion.DdpmFilter;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.NoiseSchedule;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Peak memory and time of F_tau forward+backward (one pass, as in an attack step) for a diffusion UNet given as
 * ONNX, e.g. the published CelebA structure made by {@code scripts/export_celeba_structure.py}:
 * <pre>
 *   java ... org.acejvm.benchmarks.FilterMemory /tmp/unet_celeba128.onnx 3 128 1 [passes] [ONE_GRAPH|RECOMPUTE_PER_STEP]
 * </pre>
 * Prints the process's peak resident memory (VmHWM), JavaCPP's off-heap bytes and the Java heap after each pass.
 * T = 500, respacing 50, fraction 0.1 (S = 5), learned-range variance: the published CelebA setting.
 */
public final class FilterMemory {
    private FilterMemory() {}

    public static void main(String[] args) throws Exception {
        Path onnx = Path.of(args[0]);
        int c = Integer.parseInt(args[1]), size = Integer.parseInt(args[2]), batch = Integer.parseInt(args[3]);
        int passes = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        DdpmFilter.GradientMode mode = args.length > 5 ? DdpmFilter.GradientMode.valueOf(args[5]) : DdpmFilter.GradientMode.ONE_GRAPH;
        ImageSpec spec = new ImageSpec(c, size, size);
        long t0 = System.nanoTime();
        OnnxModel unet = OnnxModel.load(onnx);
        DiffusionModel model = DiffusionModel.builder(unet, spec).schedule(NoiseSchedule.linear(500), "50")
                .variance(DiffusionModel.Variance.LEARNED_RANGE).timestepType(unet.inputDataType("timesteps")).build();
        DdpmFilter filter = DdpmFilter.ofFraction(model, 0.1, true).withGradientMode(mode);
        report("loaded " + onnx.getFileName() + " in " + ms(t0) + ", gradient mode " + mode, -1);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, c, size, size);
        INDArray up = Nd4j.randn(DataType.FLOAT, batch, c, size, size);
        long[] ids = new long[batch];
        for (int i = 0; i < batch; i++) ids[i] = i;
        for (int p = 0; p < passes; p++) {
            long s = System.nanoTime();
            DdpmFilter.Gradient g = filter.gradient(x, up, ids, p, NoiseSource.seeded(7));
            report(String.format(Locale.ROOT, "pass %d (S=%d, batch %d, %dx%dx%d): %s, |grad| mean %.3e", p,
                    filter.steps(), batch, c, size, size, ms(s), g.gradient().meanNumber().doubleValue()), p);
        }
    }

    private static String ms(long start) { return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9); }

    private static void report(String what, int pass) throws Exception {
        String hwm = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                .findFirst().orElse("VmHWM ?").replaceAll("\\s+", " ");
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "%s | peak RSS %s | JavaCPP off-heap %.2f GB | heap used %.2f GB%n", what, hwm,
                Pointer.totalBytes() / 1e9, (rt.totalMemory() - rt.freeMemory()) / 1e9);
    }
}
