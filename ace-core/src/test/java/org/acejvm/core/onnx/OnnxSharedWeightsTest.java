package org.acejvm.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** One imported UNet called three times in one SameDiff: same results as three separate graphs, one set of weights. */
class OnnxSharedWeightsTest {
    private static final Fixture F = Fixture.of("unet_tiny");

    private static long constants(SameDiff sd, String namespace) {
        return sd.variables().stream()
                .filter(v -> v.getVariableType() == VariableType.CONSTANT && v.name().startsWith(namespace + "/")).count();
    }

    /** The first C channels of the output (eps), as the next call's image: a chain x -> u(x) -> u(u(x)) -> ... */
    private static SDVariable eps(SameDiff sd, String name, SDVariable out) {
        return sd.slice(name, out, new int[] {0, 0, 0, 0}, -1, 1, -1, -1);
    }

    private static INDArray single(OnnxModel unet, INDArray x, INDArray t) {
        SameDiff sd = SameDiff.create();
        SDVariable y = unet.call1(sd, "u", sd.constant("x", x), sd.constant("t", t));
        return sd.output(new HashMap<>(), y.name()).get(y.name());
    }

    @Test
    void threeChainedCallsShareWeightsAndEqualSequentialCalls() {
        OnnxModel unet = OnnxModel.load(F.model());
        INDArray x = F.inputs().get(0), t = F.inputs().get(1);

        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x.dup());
        SDVariable tv = sd.constant("t", t);
        SDVariable y1 = unet.call1(sd, "call1", xv, tv);
        long opsOne = sd.getOps().size();
        long weightsOne = constants(sd, unet.namespace());
        SDVariable y2 = unet.call1(sd, "call2", eps(sd, "e1", y1), tv);
        SDVariable y3 = unet.call1(sd, "call3", eps(sd, "e2", y2), tv);
        Map<String, INDArray> out = sd.output(new HashMap<>(), y1.name(), y2.name(), y3.name());

        INDArray s1 = single(unet, x, t);
        INDArray s2 = single(unet, s1.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup(), t);
        INDArray s3 = single(unet, s2.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup(), t);

        assertThat(Fixture.relError(out.get(y1.name()), s1)).isLessThanOrEqualTo(1e-6);
        assertThat(Fixture.relError(out.get(y2.name()), s2)).isLessThanOrEqualTo(1e-6);
        assertThat(Fixture.relError(out.get(y3.name()), s3)).isLessThanOrEqualTo(1e-6);
        // the weights exist once: three calls add no constant of the model's namespace beyond the first call's
        assertThat(constants(sd, unet.namespace())).isEqualTo(weightsOne);
        assertThat(weightsOne).isGreaterThanOrEqualTo(50);
        assertThat(sd.getOps().size()).isEqualTo(3 * opsOne + 2);
        // every op output of a call is named under its call name
        for (String call : new String[] {"call1", "call2", "call3"}) {
            assertThat(sd.variables().stream().filter(v -> v.name().startsWith(call + "/")).count())
                    .isGreaterThanOrEqualTo(unet.opsPerCall());
        }
    }

    @Test
    void threeParallelCallsMatchOneCallEach() {
        OnnxModel unet = OnnxModel.load(F.model());
        INDArray x = F.inputs().get(0), t = F.inputs().get(1);
        SameDiff sd = SameDiff.create();
        SDVariable[] outs = new SDVariable[3];
        INDArray[] xs = {x, x.mul(0.5), x.neg()};
        for (int i = 0; i < 3; i++) outs[i] = unet.call1(sd, "p" + i, sd.constant("x" + i, xs[i]), sd.constant("t" + i, t));
        Map<String, INDArray> out = sd.output(new HashMap<>(), outs[0].name(), outs[1].name(), outs[2].name());
        for (int i = 0; i < 3; i++) {
            assertThat(Fixture.relError(out.get(outs[i].name()), single(unet, xs[i], t))).isLessThanOrEqualTo(1e-6);
        }
        assertThat(Fixture.relError(out.get(outs[0].name()), F.outputs().get(0))).isLessThanOrEqualTo(1e-4);
    }
}
