package org.acejvm.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.graph.DifferentiableGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The DiffusionFilter contract: placeholders, noise feed order and keys, use inside a caller's graph. */
class FilterContractTest {
    private static final ImageSpec SPEC = new ImageSpec(3, 16, 16);
    private static DiffusionModel model;
    private static INDArray images;

    @BeforeAll
    static void setUp() {
        model = DiffusionModel.builder(TinyEpsModel.load("/diffusion/tiny", 6, false), SPEC)
                .schedule(NoiseSchedule.linear(500), "50").build();
        images = TinyEpsModel.npy("/diffusion/tiny/images.npy");
    }

    @Test
    void stepsFromFraction() {
        assertThat(DdpmFilter.ofFraction(model, 0.1, true).steps()).isEqualTo(5);
        assertThat(DdpmFilter.ofFraction(model, 0.2, true).steps()).isEqualTo(10);
        assertThatThrownBy(() -> DdpmFilter.of(model, 0, true)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> DdpmFilter.of(model, 51, true)).isInstanceOf(InvalidInputException.Range.class);
    }

    @Test
    void noiseFeedOrderShapesAndKeys() {
        DdpmFilter f = DdpmFilter.of(model, 5, true);
        long[] ids = {3, 9};
        Map<String, INDArray> feed = f.noiseFeed("f", ids, 7, NoiseSource.seeded(1));
        assertThat(new ArrayList<>(feed.keySet())).containsExactly("f/q_noise", "f/step_noise_4", "f/step_noise_3",
                "f/step_noise_2", "f/step_noise_1");
        feed.values().forEach(a -> assertThat(a.shape()).containsExactly(2, 3, 16, 16));
        // the same keys give the same bits; another call index gives other noise; rows depend only on their sample id
        assertThat(f.noiseFeed("g", ids, 7, NoiseSource.seeded(1)).get("g/q_noise")).isEqualTo(feed.get("f/q_noise"));
        assertThat(f.noiseFeed("f", ids, 8, NoiseSource.seeded(1)).get("f/q_noise")).isNotEqualTo(feed.get("f/q_noise"));
        INDArray single = f.noiseFeed("f", new long[] {9}, 7, NoiseSource.seeded(1)).get("f/step_noise_2");
        assertThat(single.reshape(3, 16, 16)).isEqualTo(feed.get("f/step_noise_2").slice(1));
        // supplied noise is handed out in the contract's draw order
        List<INDArray> draws = new ArrayList<>();
        for (int i = 0; i < 5; i++) draws.add(Nd4j.valueArrayOf(new long[] {2, 3, 16, 16}, (float) i));
        Map<String, INDArray> sup = f.noiseFeed("f", ids, 0, NoiseSource.supplied(draws));
        assertThat(sup.get("f/q_noise").getFloat(0)).isEqualTo(0f);
        assertThat(sup.get("f/step_noise_4").getFloat(0)).isEqualTo(1f);
        assertThat(sup.get("f/step_noise_1").getFloat(0)).isEqualTo(4f);
        // deterministic: only the q_sample noise
        DdpmFilter det = DdpmFilter.of(model, 5, false);
        assertThat(det.noiseFeed("d", ids, 0, NoiseSource.seeded(1)).keySet()).containsExactly("d/q_noise");
    }

    /** apply() inside a caller's graph: two filter calls and a linear "classifier" share one graph and one set of UNet weights. */
    @Test
    void chainsInACallersGraphWithSharedWeights() {
        DdpmFilter f = DdpmFilter.of(model, 5, true);
        SameDiff sd = SameDiff.create();
        SDVariable x = DifferentiableGraph.inputVariable(sd, "x", SPEC);
        SDVariable a = f.apply(sd, "call_a", x);
        SDVariable b = f.apply(sd, "call_b", x);
        INDArray wA = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16).subi(0.5);
        INDArray wB = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16).subi(0.5);
        SDVariable loss = a.mul(sd.constant("wA", wA)).sum().add("loss", b.mul(sd.constant("wB", wB)).sum());
        DifferentiableGraph g = new DifferentiableGraph(sd, x, loss);
        long weightConstants = sd.variables().stream()
                .filter(v -> v.getVariableType() == VariableType.CONSTANT && v.name().startsWith("tiny_eps/")).count();
        assertThat(weightConstants).isEqualTo(6);
        assertThatThrownBy(() -> f.apply(sd, "call_a", x)).isInstanceOf(InvalidInputException.class).hasMessageContaining("call_a");

        long[] ids = {0, 1};
        Map<String, INDArray> feed = new HashMap<>(f.noiseFeed("call_a", ids, 3, NoiseSource.seeded(11)));
        feed.putAll(f.noiseFeed("call_b", ids, 4, NoiseSource.seeded(11)));
        DifferentiableGraph.Result r = g.forwardBackward(images, feed, List.of(a.name(), b.name()));

        // the same as the standalone filter's gradients, added
        DdpmFilter.Gradient ga = f.gradient(images, wA, ids, 3, NoiseSource.seeded(11));
        DdpmFilter.Gradient gb = f.gradient(images, wB, ids, 4, NoiseSource.seeded(11));
        assertThat(FilterReferenceTest.relErr(r.output(a.name()), ga.output())).isLessThan(1e-6);
        assertThat(FilterReferenceTest.relErr(r.output(b.name()), gb.output())).isLessThan(1e-6);
        assertThat(FilterReferenceTest.relErr(r.gradient(), ga.gradient().add(gb.gradient()))).isLessThan(1e-5);
        assertThat(Transforms.abs(ga.output().sub(gb.output())).maxNumber().doubleValue()).isGreaterThan(1e-3);
    }

    /** Central finite differences of sum(F(x) * R) in a few pixels (deterministic filter, float32, loose tolerance). */
    @Test
    void gradientAgreesWithFiniteDifferences() {
        DdpmFilter f = DdpmFilter.of(model, 3, false);
        long[] ids = {0, 1};
        INDArray r = TinyEpsModel.npy("/diffusion/tiny/upstream.npy");
        INDArray grad = f.gradient(images, r, ids, 0, NoiseSource.seeded(2)).gradient();
        double h = 1e-2;
        int checked = 0;
        for (long idx : new long[] {5, 100, 300, 777, 1000, 1400}) {
            INDArray plus = images.dup();
            INDArray minus = images.dup();
            plus.putScalar(idx, images.getDouble(idx) + h);
            minus.putScalar(idx, images.getDouble(idx) - h);
            double fp = f.filter(plus, ids, 0, NoiseSource.seeded(2)).castTo(DataType.DOUBLE).mul(r).sumNumber().doubleValue();
            double fm = f.filter(minus, ids, 0, NoiseSource.seeded(2)).castTo(DataType.DOUBLE).mul(r).sumNumber().doubleValue();
            double fd = (fp - fm) / (2 * h);
            double g = grad.getDouble(idx);
            assertThat(Math.abs(fd - g)).as("pixel %d: fd %s analytic %s", idx, fd, g)
                    .isLessThan(0.03 * Math.max(0.1, Math.abs(g)));
            checked++;
        }
        assertThat(checked).isEqualTo(6);
    }

    @Test
    void badInputsFailWithTypedErrors() {
        DdpmFilter f = DdpmFilter.of(model, 5, true);
        NoiseSource n = NoiseSource.seeded(0);
        long[] ids = {0, 1};
        assertThatThrownBy(() -> f.filter(images.mul(2), ids, 0, n)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> f.filter(Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16), ids, 0, n))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("[N, 3, 16, 16]");
        assertThatThrownBy(() -> f.filter(images, new long[] {0}, 0, n)).isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> f.gradient(images, Nd4j.ones(DataType.FLOAT, 1, 3, 16, 16), ids, 0, n))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("upstream");
        assertThatThrownBy(() -> f.noiseFeed("x", new long[0], 0, n)).isInstanceOf(InvalidInputException.Shape.class);
        assertThatThrownBy(() -> f.filter(images, ids, 0, NoiseSource.supplied(List.of())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("exhausted");
    }
}
