package org.acejvm.core.graph.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.acejvm.core.graph.GraphEngine;
import org.acejvm.core.graph.GraphExecutor;
import org.acejvm.core.graph.SameDiffExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The plan engine against SameDiff on one small graph per op type it differentiates: the same forward values (the
 * same ND4J ops run, so bit for bit) and input gradients within 1e-5 relative to the largest entry (the hand-written
 * gradients round differently from SameDiff's composed ones).
 */
class PlanExecutorTest {
    private static final long[] X = {2, 3, 4, 4};

    private static Stream<Arguments> ops() {
        return Stream.of(
                op("add broadcast", (sd, x) -> x.add(c(sd, 1, 3, 1, 1))),
                op("subtract both sides", (sd, x) -> x.sub(c(sd, 3, 1, 1)).add(c(sd, 4, 4).sub(x))),
                op("multiply broadcast and self", (sd, x) -> x.mul(c(sd, 2, 1, 1, 1)).mul(x)),
                op("divide", (sd, x) -> x.div(sd.math.abs(x).add(1.0)).add(c(sd, 4).div(x.mul(x).add(2.0)))),
                op("scalar ops", (sd, x) -> x.add(1.5).sub(0.5).mul(3.0).div(2.0).neg()),
                op("relu", (sd, x) -> sd.nn.relu(x, 0.1)),
                op("swish sigmoid tanh", (sd, x) -> sd.nn.swish(x).add(sd.nn.sigmoid(x)).add(sd.math.tanh(x))),
                op("rsqrt sqrt exp log abs", (sd, x) -> {
                    SDVariable p = x.mul(x).add(0.5);
                    return sd.math.rsqrt(p).add(sd.math.sqrt(p)).add(sd.math.exp(x)).add(sd.math.log(p)).add(sd.math.abs(x));
                }),
                op("clip", (sd, x) -> sd.math.clipByValue(x.mul(3.0), -1.0, 1.0)),
                op("permute and transpose", (sd, x) -> sd.permute(sd.permute(x, 0, 2, 3, 1).mul(c(sd, 4, 4, 3)), 0, 3, 1, 2)
                        .add(sd.transpose(x.reshape(2, 48)).mul(c(sd, 48, 1)).sum().mul(0.01))),
                op("reshape squeeze expand", (sd, x) -> sd.squeeze(sd.expandDims(x.reshape(2, 3, 16), 1), 1).mul(c(sd, 16))),
                op("reductions", (sd, x) -> x.mean(true, 2, 3).mul(x).add(x.sum(1).mul(c(sd, 4, 4)).sum())
                        .add(x.max(true, 1).mul(2.0))),
                op("softmax", (sd, x) -> sd.nn.softmax(x.reshape(2, 3, 16), 2).mul(c(sd, 16))),
                op("conv2d stride 1 and 2", (sd, x) -> {
                    SDVariable w1 = c(sd, 3, 3, 3, 5), w2 = c(sd, 3, 3, 5, 2), b = c(sd, 2);
                    SDVariable h = sd.cnn.conv2d(x, w1, org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder()
                            .kH(3).kW(3).pH(1).pW(1).sH(1).sW(1).dataFormat("NCHW").build());
                    return sd.cnn.conv2d(h, w2, b, org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder()
                            .kH(3).kW(3).pH(1).pW(1).sH(2).sW(2).dataFormat("NCHW").build());
                }),
                op("transposed convolution stride 1 and 2", (sd, x) -> {
                    var cfg = org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig.builder();
                    SDVariable h = sd.cnn.deconv2d(x, c(sd, 3, 3, 4, 3), cfg.kH(3).kW(3).pH(1).pW(1).sH(1).sW(1)
                            .dataFormat("NCHW").build());
                    return sd.cnn.deconv2d(h, c(sd, 4, 4, 2, 4), c(sd, 2),
                            org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig.builder().kH(4).kW(4)
                                    .pH(1).pW(1).sH(2).sW(2).dataFormat("NCHW").build());
                }),
                op("depthwise convolution", (sd, x) -> sd.cnn.depthWiseConv2d(x, c(sd, 3, 3, 3, 2),
                        org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder().kH(3).kW(3).pH(1).pW(1)
                                .sH(1).sW(1).dataFormat("NCHW").build())),
                op("max pool", (sd, x) -> sd.cnn.maxPooling2d(x,
                        org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                                .isNHWC(false).build()).mul(c(sd, 2, 2))),
                op("pool and upsample", (sd, x) -> sd.cnn.upsampling2d(sd.cnn.avgPooling2d(x,
                        org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                                .isNHWC(false).build()), 2, 2, true).mul(c(sd, 4, 4))),
                op("slice strided slice concat", (sd, x) -> sd.concat(1, sd.slice(x, new int[] {0, 1, 0, 0}, 2, 2, 4, 4),
                        sd.stridedSlice(x, new long[] {0, 0, 0, 0}, new long[] {2, 3, 4, 4}, new long[] {1, 2, 1, 1})
                                .mul(c(sd, 4)))),
                op("matmul with transposes and batch", (sd, x) -> {
                    SDVariable m = x.reshape(2, 12, 4);
                    SDVariable p = sd.mmul(x.reshape(24, 4), c(sd, 4, 5));
                    SDVariable q = sd.mmul(m, m, true, false, false); // [2,4,4]
                    SDVariable r = sd.mmul(m, m, false, true, true); // transposed result
                    return p.sum().add(q.mul(c(sd, 4, 4)).sum()).add(r.mul(c(sd, 12, 12)).sum());
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void planMatchesSameDiff(String name, BiFunction<SameDiff, SDVariable, SDVariable> body) {
        INDArray x = Nd4j.rand(DataType.FLOAT, X).subi(0.5).muli(4);
        GraphExecutor.Gradient want = run(new Graph(body), false, x);
        Graph g = new Graph(body);
        PlanExecutor plan = new PlanExecutor(g.sd);
        GraphExecutor.Gradient got = plan.forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
        assertThat(plan.unsupported(true)).isNull();
        assertThat(got.outputs().get("y")).isEqualTo(want.outputs().get("y"));
        double scale = Math.max(1e-3, want.gradient().amaxNumber().doubleValue());
        assertThat(got.gradient().sub(want.gradient()).amaxNumber().doubleValue()).isLessThan(1e-5 * scale);
        // forward only, and a second call of the same plan, give the same values
        assertThat(plan.forward(Map.of("x", x), List.of("y")).get("y")).isEqualTo(want.outputs().get("y"));
        assertThat(plan.forwardBackward(Map.of("x", x), List.of("y"), "loss", "x").gradient()).isEqualTo(got.gradient());
    }

    @Test
    void theTranslatorsNormalisationRunsAsOneFusedKernelWithTheSameValuesAndGradient() {
        // GroupNorm as the ONNX translator writes it (NormMappers.normalize with a widened product), then an affine
        // map, SiLU and a second normalisation over two trailing axes whose intermediate is also an output (not fused)
        BiFunction<SameDiff, SDVariable, SDVariable> body = (sd, x) -> {
            SDVariable grouped = x.reshape(2, 3, 16);
            SDVariable mean = sd.mean(grouped, true, 2);
            SDVariable d = grouped.sub(mean);
            SDVariable inv = sd.math.rsqrt(sd.mean(d.mul(d), true, 2).add(1e-5));
            SDVariable zeros = sd.fill(sd.shape(d), DataType.FLOAT, 0.0);
            SDVariable y = d.mul(zeros.add(inv)).reshape(2, 3, 4, 4).mul(c(sd, 1, 3, 1, 1)).add(c(sd, 1, 3, 1, 1));
            SDVariable h = sd.nn.swish(y);
            SDVariable m2 = sd.mean(h, true, 2, 3);
            SDVariable d2 = h.sub(m2);
            return d2.mul(sd.math.rsqrt(sd.mean(d2.mul(d2), true, 2, 3).add(1e-6))).add(h.mul(0.1));
        };
        INDArray x = Nd4j.rand(DataType.FLOAT, X).subi(0.5).muli(4);
        GraphExecutor.Gradient want = run(new Graph(body), false, x);
        Graph g = new Graph(body);
        PlanExecutor plan = new PlanExecutor(g.sd);
        GraphExecutor.Gradient got = plan.forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
        assertThat(plan.fusedNormalisations()).isEqualTo(2);
        assertThat(plan.unsupported(true)).isNull();
        assertThat(got.outputs().get("y").sub(want.outputs().get("y")).amaxNumber().doubleValue()).isLessThan(1e-5);
        // SameDiff's gradient of the composed ops subtracts three nearly equal float terms per element; the fused
        // formula rounds differently: about 1e-5 of the largest entry apart (both float32)
        double scale = want.gradient().amaxNumber().doubleValue();
        assertThat(got.gradient().sub(want.gradient()).amaxNumber().doubleValue()).isLessThan(3e-5 * scale);
        // forward only: the same fused kernel
        assertThat(plan.forward(Map.of("x", x), List.of("y")).get("y").sub(got.outputs().get("y")).amaxNumber().doubleValue())
                .isEqualTo(0.0);
    }

    @Test
    void recompilesForANewBatchSizeAndKeepsEarlierPlans() {
        BiFunction<SameDiff, SDVariable, SDVariable> body = (sd, x) -> sd.nn.swish(x).mul(c(sd, 1, 3, 1, 1));
        Graph g = new Graph(body);
        PlanExecutor plan = new PlanExecutor(g.sd);
        for (long n : new long[] {2, 5, 2, 1}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, n, 3, 4, 4);
            GraphExecutor.Gradient want = run(new Graph(body), false, x);
            GraphExecutor.Gradient got = plan.forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
            assertThat(got.gradient().shape()).containsExactly(n, 3, 4, 4);
            assertThat(got.gradient().sub(want.gradient()).amaxNumber().doubleValue()).isLessThan(1e-5);
        }
    }

    @Test
    void returnsCopiesAndNeverWritesIntoTheFeed() {
        Graph g = new Graph((sd, x) -> x.mul(2.0));
        PlanExecutor plan = new PlanExecutor(g.sd);
        INDArray x = Nd4j.ones(DataType.FLOAT, X);
        INDArray first = plan.forward(Map.of("x", x), List.of("y")).get("y");
        plan.forward(Map.of("x", x.mul(5)), List.of("y"));
        assertThat(first.getDouble(0)).isEqualTo(2.0);
        assertThat(x.getDouble(0)).isEqualTo(1.0);
    }

    @Test
    void aGraphWithAnOpItCannotDifferentiateRunsOnSameDiffAndSaysWhy() {
        BiFunction<SameDiff, SDVariable, SDVariable> body = (sd, x) -> sd.math.cosh(x);
        INDArray x = Nd4j.rand(DataType.FLOAT, X);
        Graph g = new Graph(body);
        PlanExecutor plan = new PlanExecutor(g.sd);
        GraphExecutor.Gradient got = plan.forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
        assertThat(plan.unsupported(true)).contains("cosh");
        assertThat(got.gradient()).isEqualTo(run(new Graph(body), false, x).gradient());
        assertThat(plan.unsupported(false)).isNull(); // the forward pass needs no gradients: it stays on the plan
        assertThat(plan.forward(Map.of("x", x), List.of("y")).get("y")).isEqualTo(got.outputs().get("y"));
    }

    @Test
    void theEngineIsChosenByAPropertyWithAClearErrorForOthers() {
        String saved = System.getProperty(GraphEngine.PROPERTY);
        try {
            System.setProperty(GraphEngine.PROPERTY, "SameDiff");
            assertThat(GraphEngine.current()).isEqualTo(GraphEngine.SAMEDIFF);
            System.setProperty(GraphEngine.PROPERTY, "plan");
            assertThat(GraphEngine.current().executor(SameDiff.create())).isInstanceOf(PlanExecutor.class);
            System.setProperty(GraphEngine.PROPERTY, "fast");
            assertThatThrownBy(GraphEngine::current).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("plan or samediff").hasMessageContaining("fast");
        } finally {
            if (saved == null) System.clearProperty(GraphEngine.PROPERTY);
            else System.setProperty(GraphEngine.PROPERTY, saved);
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static Arguments op(String name, BiFunction<SameDiff, SDVariable, SDVariable> body) {
        return Arguments.of(name, body);
    }

    /** A constant of the shape with fixed, varied values. */
    private static SDVariable c(SameDiff sd, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return sd.constant(Nd4j.linspace(-1.3, 1.7, n, DataType.FLOAT).reshape(shape));
    }

    /** y = body(x) and loss = sum(y^2 / 2 + y), the input x a re-bindable variable. */
    private static final class Graph {
        final SameDiff sd = SameDiff.create();

        Graph(BiFunction<SameDiff, SDVariable, SDVariable> body) {
            SDVariable x = sd.var("x", Nd4j.zeros(DataType.FLOAT, X));
            SDVariable y = sd.identity("y", body.apply(sd, x));
            sd.identity("loss", y.mul(y).mul(0.5).add(y).sum()); // dloss/dy = y + 1: varied
        }
    }

    private static GraphExecutor.Gradient run(Graph g, boolean plan, INDArray x) {
        GraphExecutor e = plan ? new PlanExecutor(g.sd) : new SameDiffExecutor(g.sd);
        return e.forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
    }
}
