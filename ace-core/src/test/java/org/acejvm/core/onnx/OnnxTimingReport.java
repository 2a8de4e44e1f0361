package org.acejvm.core.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Import time and batch-1 forward time per architecture (logged, not asserted). Opt-in, as it takes minutes:
 * {@code mvn -pl ace-core test -Dtest=OnnxTimingReport -Dace.timing=true}.
 */
@EnabledIfSystemProperty(named = "ace.timing", matches = "true")
class OnnxTimingReport {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxTimingReport.class);

    @Test
    void report() {
        String only = System.getProperty("ace.timing.only", "");
        for (String name : List.of("small_cnn", "resnet18", "densenet121", "unet_tiny", "unet_small_op13",
                "unet_small_matmul", "unet_gd32", "unet_celeba")) {
            if (!only.isEmpty() && !Arrays.asList(only.split(",")).contains(name)) continue;
            Fixture f = Fixture.of(name);
            double[] load = new double[3];
            OnnxModel model = null;
            for (int i = 0; i < load.length; i++) {
                long t0 = System.nanoTime();
                model = OnnxModel.load(f.model());
                load[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(load);
            List<INDArray> one = new ArrayList<>();
            for (INDArray a : f.inputs()) one.add(a.get(NDArrayIndex.interval(0, 1)).dup());
            List<INDArray> w1 = new ArrayList<>();
            for (INDArray a : f.outputWeights()) w1.add(a.get(NDArrayIndex.interval(0, 1)).dup());
            long t0 = System.nanoTime();
            Harness h = new Harness(model, one, w1);
            double callMs = (System.nanoTime() - t0) / 1e6;
            h.forward();
            double[] fw = new double[5];
            for (int i = 0; i < fw.length; i++) {
                long s = System.nanoTime();
                h.forward();
                fw[i] = (System.nanoTime() - s) / 1e6;
            }
            Arrays.sort(fw);
            h.gradients();
            double[] fb = new double[3];
            for (int i = 0; i < fb.length; i++) {
                long s = System.nanoTime();
                h.gradients();
                fb[i] = (System.nanoTime() - s) / 1e6;
            }
            Arrays.sort(fb);
            LOG.info(String.format("TIMING %-18s %5d nodes -> %5d ops | load+check %7.0f ms | call() %6.0f ms | "
                            + "forward b=1 median %7.1f ms (min %7.1f) | forward+backward b=1 median %7.1f ms",
                    name, model.nodeCount(), model.opsPerCall(), load[1], callMs, fw[2], fw[0], fb[1]));
        }
    }
}
