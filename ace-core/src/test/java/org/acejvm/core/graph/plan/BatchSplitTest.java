package org.acejvm.core.graph.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.acejvm.core.graph.GraphExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A batch cut into parts on two worker threads gives the whole batch's outputs, loss and input gradient; graphs
 * whose samples interact run whole, and say why.
 */
class BatchSplitTest {
    private static final long[] X = {5, 3, 4, 4}; // 5 samples: parts of 3 and 2
    private static final PlanWorkers TWO = PlanWorkers.of(2);
    private static final PlanWorkers ONE = PlanWorkers.of(1);

    /** Graphs that treat every sample alone: they must be split. */
    private static Stream<Arguments> perSample() {
        return Stream.of(
                Arguments.of("convolution, bias, SiLU", (BiFunction<SameDiff, SDVariable, SDVariable>) (sd, x) ->
                        sd.nn.swish(sd.cnn.conv2d(x, c(sd, 3, 3, 3, 4), c(sd, 4), Conv2DConfig.builder()
                                .kH(3).kW(3).pH(1).pW(1).sH(1).sW(1).dataFormat("NCHW").build()))),
                Arguments.of("group norm over trailing axes", (BiFunction<SameDiff, SDVariable, SDVariable>) (sd, x) -> {
                    SDVariable g = x.reshape(sd.concat(0, sd.shape(x).get(SDIndex.interval(0, 1)),
                            sd.constant(Nd4j.createFromArray(3L, 16L))));
                    SDVariable d = g.sub(sd.mean(g, true, 2));
                    return d.mul(sd.math.rsqrt(sd.mean(d.mul(d), true, 2).add(1e-5))).reshape(sd.shape(x));
                }),
                Arguments.of("attention: samples times heads on axis 0", (BiFunction<SameDiff, SDVariable, SDVariable>) (sd, x) -> {
                    SDVariable qk = x.reshape(-1, 6, 8); // [B, 48] -> [2B, 6, 8]: each sample two rows
                    SDVariable w = sd.nn.softmax(sd.mmul(qk, qk, true, false, false), -1); // [2B, 8, 8]
                    return sd.mmul(qk, w).reshape(sd.shape(x));
                }),
                Arguments.of("timestep of the batch size (ones of shape [B])", (BiFunction<SameDiff, SDVariable, SDVariable>) (sd, x) -> {
                    SDVariable ones = sd.fill(sd.shape(x).get(SDIndex.interval(0, 1)), DataType.FLOAT, 1.0);
                    SDVariable t = ones.mul(0.25).reshape(-1, 1, 1, 1);
                    return x.mul(t).add(sd.math.sin(t));
                }),
                Arguments.of("a schedule looked up at each sample's step", (BiFunction<SameDiff, SDVariable, SDVariable>) (sd, x) -> {
                    SDVariable step = sd.castTo(sd.math.abs(x.get(SDIndex.all(), SDIndex.point(0), SDIndex.point(0), SDIndex.point(0)))
                            .mul(3.0), DataType.INT64); // [B] step indices from the samples
                    SDVariable coef = sd.gather(c(sd, 7), sd.math.min(step, sd.constant(6L)), 0); // [B]
                    return x.mul(coef.reshape(-1, 1, 1, 1));
                }),
                Arguments.of("flatten, dense, log-softmax, per-sample sum", (BiFunction<SameDiff, SDVariable, SDVariable>) (sd, x) -> {
                    SDVariable logits = sd.mmul(x.reshape(-1, 48), c(sd, 48, 10));
                    SDVariable p = sd.nn.logSoftmax(logits);
                    return p.add(sd.sum(p.mul(p), true, 1));
                }));
    }

    /** Graphs whose samples interact: they must run whole. */
    private static Stream<Arguments> mixing() {
        return Stream.of(
                Arguments.of("a mean over the batch", "reduce_mean", (BiFunction<SameDiff, SDVariable, SDVariable>) (sd, x) ->
                        x.sub(sd.mean(x, true, 0))),
                Arguments.of("a product across the samples", "multiplies samples together", (BiFunction<SameDiff, SDVariable, SDVariable>) (sd, x) -> {
                    SDVariable flat = x.reshape(-1, 48);
                    return sd.mmul(flat, flat, true, false, false); // [48, 48]: sums over the samples
                }),
                Arguments.of("the batch size as a number", "batch size as a value", (BiFunction<SameDiff, SDVariable, SDVariable>) (sd, x) ->
                        x.div(sd.castTo(sd.shape(x).get(SDIndex.point(0)), DataType.FLOAT))),
                Arguments.of("a batch sum added to every sample", "sum over the samples", (BiFunction<SameDiff, SDVariable, SDVariable>) (sd, x) ->
                        x.add(x.sum()).mul(0.1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("perSample")
    void aBatchOfIndependentSamplesIsSplitAndGivesTheWholeBatchsValues(String name, BiFunction<SameDiff, SDVariable, SDVariable> body) {
        INDArray x = Nd4j.rand(DataType.FLOAT, X).subi(0.5).muli(4);
        PlanExecutor whole = new PlanExecutor(graph(body, false), ONE);
        PlanExecutor split = new PlanExecutor(graph(body, false), TWO);
        GraphExecutor.Gradient want = whole.forwardBackward(Map.of("x", x), List.of("y", "loss"), "loss", "x");
        GraphExecutor.Gradient got = split.forwardBackward(Map.of("x", x), List.of("y", "loss"), "loss", "x");
        assertThat(split.wholeBatch()).isNull();
        assertThat(whole.wholeBatch()).isEqualTo("one worker thread");
        assertClose(got.outputs().get("y"), want.outputs().get("y"), 1e-6);
        assertClose(got.outputs().get("loss"), want.outputs().get("loss"), 1e-6); // added over the parts
        assertClose(got.gradient(), want.gradient(), 1e-6);
        assertThat(got.gradient().shape()).isEqualTo(X);
        assertClose(split.forward(Map.of("x", x), List.of("y")).get("y"), want.outputs().get("y"), 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mixing")
    void aGraphWhoseSamplesInteractRunsWholeAndSaysWhy(String name, String why, BiFunction<SameDiff, SDVariable, SDVariable> body) {
        INDArray x = Nd4j.rand(DataType.FLOAT, X).subi(0.5).muli(4);
        GraphExecutor.Gradient want = new PlanExecutor(graph(body, false), ONE)
                .forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
        PlanExecutor split = new PlanExecutor(graph(body, false), TWO);
        GraphExecutor.Gradient got = split.forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
        assertThat(split.wholeBatch()).contains(why);
        assertThat(got.outputs().get("y")).isEqualTo(want.outputs().get("y"));
        assertThat(got.gradient()).isEqualTo(want.gradient());
    }

    @Test
    void aLossThatAveragesOverTheBatchKeepsTheBatchWhole() {
        BiFunction<SameDiff, SDVariable, SDVariable> body = (sd, x) -> sd.nn.swish(x);
        INDArray x = Nd4j.rand(DataType.FLOAT, X);
        PlanExecutor split = new PlanExecutor(graph(body, true), TWO);
        GraphExecutor.Gradient got = split.forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
        assertThat(split.wholeBatch()).contains("reduces over the samples");
        GraphExecutor.Gradient want = new PlanExecutor(graph(body, true), ONE).forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
        assertThat(got.gradient()).isEqualTo(want.gradient());
    }

    @Test
    void aSingleSampleAndShrinkingBatchesGiveTheSameValuesAsWholeBatches() {
        BiFunction<SameDiff, SDVariable, SDVariable> body = (sd, x) -> sd.nn.swish(sd.cnn.conv2d(x, c(sd, 3, 3, 3, 2),
                Conv2DConfig.builder().kH(3).kW(3).pH(1).pW(1).sH(1).sW(1).dataFormat("NCHW").build()));
        PlanExecutor whole = new PlanExecutor(graph(body, false), ONE);
        PlanExecutor split = new PlanExecutor(graph(body, false), TWO);
        for (long n : new long[] {4, 1, 3, 4}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, n, 3, 4, 4);
            GraphExecutor.Gradient want = whole.forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
            GraphExecutor.Gradient got = split.forwardBackward(Map.of("x", x), List.of("y"), "loss", "x");
            assertClose(got.outputs().get("y"), want.outputs().get("y"), 1e-6);
            assertClose(got.gradient(), want.gradient(), 1e-6);
        }
        assertThat(split.wholeBatch()).isNull();
    }

    @Test
    void theNumberOfWorkersIsAPositiveIntegerProperty() {
        String old = System.getProperty(PlanWorkers.PROPERTY);
        try {
            System.setProperty(PlanWorkers.PROPERTY, "3");
            assertThat(PlanWorkers.configured()).isEqualTo(3);
            System.setProperty(PlanWorkers.PROPERTY, "0");
            org.assertj.core.api.Assertions.assertThatThrownBy(PlanWorkers::configured)
                    .hasMessageContaining("-Dace.plan.threads must be a positive integer, got '0'");
            System.clearProperty(PlanWorkers.PROPERTY);
            assertThat(PlanWorkers.configured()).isEqualTo(Runtime.getRuntime().availableProcessors());
        } finally {
            if (old == null) System.clearProperty(PlanWorkers.PROPERTY); else System.setProperty(PlanWorkers.PROPERTY, old);
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static void assertClose(INDArray got, INDArray want, double relative) {
        assertThat(got.shape()).isEqualTo(want.shape());
        double scale = Math.max(1e-3, want.amaxNumber().doubleValue());
        assertThat(got.sub(want).amaxNumber().doubleValue()).isLessThanOrEqualTo(relative * scale);
    }

    /** y = body(x); loss = sum(y^2 / 2 + y) over everything, or its mean when {@code meanLoss}. */
    private static SameDiff graph(BiFunction<SameDiff, SDVariable, SDVariable> body, boolean meanLoss) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.zeros(DataType.FLOAT, X));
        SDVariable y = sd.identity("y", body.apply(sd, x));
        SDVariable terms = y.mul(y).mul(0.5).add(y);
        sd.identity("loss", meanLoss ? terms.mean() : terms.sum());
        return sd;
    }

    private static SDVariable c(SameDiff sd, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return sd.constant(Nd4j.linspace(-1.3, 1.7, n, DataType.FLOAT).reshape(shape));
    }
}
