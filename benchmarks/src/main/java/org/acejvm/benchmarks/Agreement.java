package org.acejvm.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.acejvm.core.io.Npy;
import org.acejvm.diffusion.DdpmFilter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes the inputs and Java outputs of the benchmark workloads as .npy files, for scripts/bench_compare.py to check
 * that the PyTorch side computes the same functions (within 1e-4) before it times them.
 * Usage: {@code Agreement <model> <batch> <dir> [nograd]} (nograd: no F_tau gradient; at 3x128x128 it needs more
 * than 12 GB off-heap even at batch 1). Files: images, unet_x, unet_t, unet_out, ftau_noise_0..S-1
 * (q_sample noise, then step k = S-1..1), ftau_out, upstream, ftau_grad, logits.
 */
public final class Agreement {
    public static void main(String[] args) throws Exception {
        BenchModels m = BenchModels.of(args[0], Integer.parseInt(args[1]));
        Path dir = Paths.get(args[2]);
        Files.createDirectories(dir);
        Npy.write(m.images, dir.resolve("images.npy"));
        BenchModels.UnetForward u = m.unetForward();
        Npy.write(u.input(), dir.resolve("unet_x.npy"));
        Npy.write(u.timesteps().castTo(DataType.FLOAT), dir.resolve("unet_t.npy"));
        Npy.write(u.run(), dir.resolve("unet_out.npy"));
        Map<String, INDArray> feed = m.filter.noiseFeed("ftau", m.ids, 0, m.noise);
        Npy.write(feed.get(DdpmFilter.qNoiseName("ftau")), dir.resolve("ftau_noise_0.npy"));
        int i = 1;
        for (int k = m.filter.steps() - 1; k >= 1; k--) {
            Npy.write(feed.get(DdpmFilter.stepNoiseName("ftau", k)), dir.resolve("ftau_noise_" + i++ + ".npy"));
        }
        Npy.write(m.filterForward(), dir.resolve("ftau_out.npy"));
        Nd4j.getRandom().setSeed(7);
        INDArray upstream = Nd4j.randn(DataType.FLOAT, m.images.shape());
        Npy.write(upstream, dir.resolve("upstream.npy"));
        if (args.length < 4 || !args[3].equals("nograd")) Npy.write(m.filter.gradient(m.images, upstream, m.ids, 0, m.noise).gradient(), dir.resolve("ftau_grad.npy"));
        Npy.write(m.classifier.logits(m.images), dir.resolve("logits.npy"));
        System.out.println("wrote " + dir);
    }
}
