package org.acejvm.diffusion;

import java.util.Arrays;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.onnx.OnnxModel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and forward+backward time of F_tau (S=5, T=500, respacing 50, learned range, stochastic) on the small UNet
 * fixture at batch 1 and 8: the workload of scripts/time_filter_torch.py. Tagged slow; run with
 * <pre>
 * OMP_NUM_THREADS=2 mvn -B -o -pl ace-diffusion -am test -Dtest=FilterTiming -Dsurefire.failIfNoSpecifiedTests=false -Ddiffusion.excludedGroups=none
 * </pre>
 * (-Dtiming.reps=10 -Dtiming.warmup=2 -Dtiming.batches=1,8).
 */
@Tag("slow")
class FilterTiming {

    @Test
    void smallUnet() {
        int reps = Integer.getInteger("timing.reps", 10);
        int warmup = Integer.getInteger("timing.warmup", 2);
        int[] batches = Arrays.stream(System.getProperty("timing.batches", "1,8").split(",")).mapToInt(Integer::parseInt).toArray();
        OnnxModel unet = OnnxModel.load(UNetFilterReferenceTest.fixture());
        DdpmFilter filter = DdpmFilter.ofFraction(UNetFilterReferenceTest.model(unet), 0.1, true);
        System.out.printf("ND4J %s, F_tau S=%d, small UNet (%d parameters, %d ops per call)%n",
                Nd4j.getBackend().getClass().getSimpleName(), filter.steps(), unet.parameterCount(), unet.opsPerCall());
        for (int n : batches) {
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) ids[i] = i;
            INDArray x = Nd4j.rand(DataType.FLOAT, n, 1, 32, 32);
            INDArray up = Nd4j.randn(DataType.FLOAT, n, 1, 32, 32);
            NoiseSource noise = NoiseSource.seeded(0);
            long[] call = {0};
            time("batch " + n + " forward", reps, warmup, () -> filter.filter(x, ids, call[0]++, noise));
            time("batch " + n + " forward+backward", reps, warmup, () -> filter.gradient(x, up, ids, call[0]++, noise));
            DdpmFilter recompute = filter.withGradientMode(DdpmFilter.GradientMode.RECOMPUTE_PER_STEP);
            time("batch " + n + " forward+backward (recompute per step)", reps, warmup,
                    () -> recompute.gradient(x, up, ids, call[0]++, noise));
        }
    }

    private static void time(String what, int reps, int warmup, Runnable r) {
        for (int i = 0; i < warmup; i++) r.run();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - s) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = reps % 2 == 1 ? sorted[reps / 2] : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
        System.out.printf("%s: median %.1f ms, mean %.1f ms, min %.1f ms (%d runs)%n", what, median,
                Arrays.stream(ms).average().orElse(0), sorted[0], reps);
    }
}
