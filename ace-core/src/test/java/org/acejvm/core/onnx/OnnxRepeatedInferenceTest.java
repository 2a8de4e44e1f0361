package org.acejvm.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A translated graph run forward (sd.output) several times with the same shapes must give the result of a fresh
 * graph every time. SameDiff 1.0.0-M2.1's xw_plus_b (nn.linear) does not: from the second call on it returned wrongly
 * laid-out values (found on the UNet's timestep embedding), so Gemm is translated to mmul + add.
 */
class OnnxRepeatedInferenceTest {

    private static SameDiff graph(OnnxModel model, Fixture f, List<INDArray> in) {
        SameDiff sd = SameDiff.create();
        List<String> names = f.inputNames();
        SDVariable[] vars = new SDVariable[in.size()];
        for (int i = 0; i < vars.length; i++) {
            long[] shape = in.get(i).shape().clone();
            shape[0] = -1;
            vars[i] = sd.placeHolder(names.get(i), in.get(i).dataType(), shape);
        }
        sd.identity("out", model.call(sd, "m", vars)[0]);
        return sd;
    }

    private static Map<String, INDArray> feed(Fixture f, List<INDArray> in, double shift) {
        Map<String, INDArray> m = new HashMap<>();
        for (int i = 0; i < in.size(); i++) {
            INDArray a = in.get(i);
            m.put(f.inputNames().get(i), a.dataType().isFPType() ? a.add(shift) : a);
        }
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops/timestep_embedding", "ops/gap_flatten_gemm", "ops/linear_matmul"})
    void repeatedForwardPassesMatchAFreshGraph(String name) {
        Fixture f = Fixture.of(name);
        List<INDArray> in = f.inputs();
        OnnxModel model = OnnxModel.load(f.model());
        SameDiff reused = graph(model, f, in);
        reused.output(feed(f, in, 0.25), "out");
        INDArray second = reused.output(feed(f, in, 0.0), "out").get("out").dup();
        INDArray third = reused.output(feed(f, in, 0.0), "out").get("out").dup();
        INDArray fresh = graph(model, f, in).output(feed(f, in, 0.0), "out").get("out").dup();
        assertThat(second.castTo(DataType.DOUBLE).sub(fresh.castTo(DataType.DOUBLE)).amaxNumber().doubleValue()).isZero();
        assertThat(third.castTo(DataType.DOUBLE).sub(fresh.castTo(DataType.DOUBLE)).amaxNumber().doubleValue()).isZero();
    }
}
