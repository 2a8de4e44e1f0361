package org.acejvm.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every supported operator (or a small group of them), each in a tiny PyTorch-exported graph under onnx/ops:
 * float32 outputs and input gradients against PyTorch (float64 reference), then, in float64, the translated
 * graph's input gradient against central finite differences.
 *
 * <p>Relative error = max|a - b| / max|b|.
 */
class OnnxOperatorsTest {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxOperatorsTest.class);

    static List<String> cases() {
        return Fixture.ops().toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchAndFiniteDifferences(String name) {
        Fixture f = Fixture.of(name);
        List<INDArray> in = f.inputs();

        // float32 against PyTorch
        OnnxModel model = OnnxModel.load(f.model());
        Harness h = new Harness(model, in, f.outputWeights());
        List<INDArray> out = h.forward();
        double outErr = 0;
        for (int i = 0; i < out.size(); i++) outErr = Math.max(outErr, Fixture.relError(out.get(i), f.outputs().get(i)));
        List<INDArray> grads = h.gradients();
        double gradErr = 0;
        List<INDArray> refGrads = f.gradients();
        for (int i = 0, g = 0; i < refGrads.size(); i++) {
            if (refGrads.get(i) != null) gradErr = Math.max(gradErr, Fixture.relError(grads.get(g++), refGrads.get(i)));
        }

        // float64: forward against PyTorch, gradient against central differences
        OnnxModel dbl = model.withFloatType(DataType.DOUBLE);
        Harness hd = new Harness(dbl, in, f.outputWeights());
        double outErr64 = 0;
        List<INDArray> out64 = hd.forward();
        for (int i = 0; i < out64.size(); i++) outErr64 = Math.max(outErr64, Fixture.relError(out64.get(i), f.outputs().get(i)));
        double fdErr = finiteDifferenceError(hd);

        LOG.info("{}: {} ops; float32 vs PyTorch: output {}, gradient {}; float64: output {}, gradient vs finite differences {}",
                name, model.opsPerCall(), fmt(outErr), fmt(gradErr), fmt(outErr64), fmt(fdErr));
        assertThat(outErr).as("float32 output rel error").isLessThanOrEqualTo(1e-4);
        assertThat(gradErr).as("float32 input gradient rel error").isLessThanOrEqualTo(1e-3);
        assertThat(outErr64).as("float64 output rel error (the file holds float32 constants)").isLessThanOrEqualTo(1e-6);
        assertThat(fdErr).as("float64 gradient vs central differences").isLessThanOrEqualTo(1e-6);
    }

    /** Analytic vs central-difference gradient of the loss w.r.t. the first input, at up to 16 positions. */
    static double finiteDifferenceError(Harness h) {
        INDArray analytic = h.gradients().get(0).reshape(-1);
        INDArray x0 = h.inputs.get(0).getArr().dup();
        long n = x0.length();
        Random rnd = new Random(7);
        double eps = 1e-6, maxDiff = 0, maxRef = 0;
        for (int k = 0; k < Math.min(16, n); k++) {
            long i = n <= 16 ? k : (long) (rnd.nextDouble() * n);
            double[] l = new double[2];
            for (int s = 0; s < 2; s++) {
                INDArray x = x0.dup();
                INDArray flat = x.reshape(-1);
                flat.putScalar(i, flat.getDouble(i) + (s == 0 ? eps : -eps));
                h.inputs.get(0).setArray(x);
                l[s] = h.loss();
            }
            double numeric = (l[0] - l[1]) / (2 * eps);
            maxDiff = Math.max(maxDiff, Math.abs(numeric - analytic.getDouble(i)));
            maxRef = Math.max(maxRef, Math.abs(numeric));
        }
        h.inputs.get(0).setArray(x0);
        return maxDiff / Math.max(maxRef, 1e-12);
    }

    static String fmt(double v) {
        return String.format("%.2e", v);
    }
}
