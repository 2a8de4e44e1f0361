package org.acejvm.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole networks exported by PyTorch 1.13 (scripts/make_onnx_fixtures.py): outputs and input gradients of
 * sum(out * R) against PyTorch's float64 reference. Relative error = max|a - b| / max|b|; outputs must be within
 * 1e-4, input gradients within 1e-3. Timings: {@link OnnxTimingReport}.
 */
class OnnxArchitecturesTest {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxArchitecturesTest.class);

    @Test void smallCnn() { check("small_cnn"); }

    @Test void resnet18() { check("resnet18"); }

    @Test void densenet121() { check("densenet121"); }

    @Test void mobilenetV2() { check("mobilenet_v2"); }

    @Test void mobilenetV3Small() { check("mobilenet_v3_small"); }

    @Test void efficientnetB0() { check("efficientnet_b0"); }

    @Test void resnext() { check("resnext"); }

    @Test void guidedDiffusionUnet32() { check("unet_gd32"); }

    @Test void celebaStructureUnet() { check("unet_celeba"); }

    @Test void unetOpset13() { check("unet_small_op13"); }

    @Test void unetOpset17() { check("unet_small_op17"); }

    @Test void unetMatMulAttention() { check("unet_small_matmul"); }

    @Test void tinyUnet() { check("unet_tiny"); }

    static void check(String name) {
        Fixture f = Fixture.of(name);
        long t0 = System.nanoTime();
        OnnxModel model = OnnxModel.load(f.model());
        double importMs = (System.nanoTime() - t0) / 1e6;

        List<INDArray> in = f.inputs();
        Harness h = new Harness(model, in, f.outputWeights());
        List<INDArray> out = h.forward();
        double outErr = 0;
        for (int i = 0; i < out.size(); i++) outErr = Math.max(outErr, Fixture.relError(out.get(i), f.outputs().get(i)));
        List<INDArray> grads = h.gradients();
        List<INDArray> ref = f.gradients();
        List<String> gradErrs = new ArrayList<>();
        double gradErr = 0;
        for (int i = 0, g = 0; i < ref.size(); i++) {
            if (ref.get(i) == null) continue;
            double e = Fixture.relError(grads.get(g++), ref.get(i));
            gradErrs.add(f.inputNames().get(i) + " " + OnnxOperatorsTest.fmt(e));
            gradErr = Math.max(gradErr, e);
        }
        LOG.info("{}: {} params, {} ONNX nodes -> {} SameDiff ops; import {} ms; rel error vs PyTorch: output {}, "
                        + "input gradient {}", name, model.parameterCount(), model.nodeCount(), model.opsPerCall(),
                Math.round(importMs), OnnxOperatorsTest.fmt(outErr), gradErrs);
        assertThat(outErr).as(name + " output rel error").isLessThanOrEqualTo(1e-4);
        assertThat(gradErr).as(name + " input gradient rel error").isLessThanOrEqualTo(1e-3);
        assertThat(model.outputShape(model.outputNames().get(0))[0]).isEqualTo(-1);
    }
}
