package org.acejvm.core.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.acejvm.core.ImageSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The arena hands each array out once per call, reuses them on the next call, and frees what a call stopped using. */
class ArenaMemoryTest {

    @Test
    void handsOutEachArrayOncePerCallAndTheSameArraysOnTheNextCall() {
        ArenaMemory arena = new ArenaMemory();
        INDArray a1 = arena.allocate(false, DataType.FLOAT, 2, 3);
        INDArray a2 = arena.allocate(false, DataType.FLOAT, 2, 3);
        assertThat(a1).isNotSameAs(a2);
        long bytes = arena.pooledBytes();
        assertThat(bytes).isEqualTo(2 * 6 * 4);

        arena.reset();
        assertThat(arena.allocate(false, DataType.FLOAT, 2, 3)).isSameAs(a1);
        assertThat(arena.allocate(false, DataType.FLOAT, 2, 3)).isSameAs(a2);
        assertThat(arena.pooledBytes()).isEqualTo(bytes);
        // detached arrays (returned to callers) are never pooled
        assertThat(arena.allocate(true, DataType.FLOAT, 2, 3)).isNotSameAs(a1).isNotSameAs(a2);
        assertThat(arena.pooledBytes()).isEqualTo(bytes);
    }

    @Test
    void freesArraysThePreviousCallDidNotUse() {
        ArenaMemory arena = new ArenaMemory();
        arena.allocate(false, DataType.FLOAT, 8, 100);     // a call at batch 8
        arena.reset();
        arena.allocate(false, DataType.FLOAT, 5, 100);     // the batch shrank to 5
        arena.reset();                                       // batch 8's array is no longer kept
        assertThat(arena.pooledBytes()).isEqualTo(5 * 100 * 4);
        arena.close();
        assertThat(arena.pooledBytes()).isZero();
    }

    @Test
    void repeatedGradientCallsGiveTheSameValuesAsTheFirstAndAsAFreshGraph() {
        ImageSpec spec = new ImageSpec(1, 4, 4);
        INDArray w = Nd4j.linspace(-1, 1, 16, DataType.FLOAT).reshape(1, 1, 4, 4);
        INDArray x = Nd4j.linspace(0, 1, 32, DataType.FLOAT).reshape(2, 1, 4, 4);
        DifferentiableGraph g = graph(spec, w);
        DifferentiableGraph.Result first = g.forwardBackward(x, Map.of(), List.of("y"));
        for (int i = 0; i < 3; i++) {
            DifferentiableGraph.Result again = g.forwardBackward(x, Map.of(), List.of("y"));
            assertThat(again.gradient()).isEqualTo(first.gradient());
            assertThat(again.output("y")).isEqualTo(first.output("y"));
        }
        // results handed to the caller are copies: a later call with other data leaves them unchanged
        INDArray kept = first.gradient().dup();
        g.forwardBackward(x.mul(3), Map.of(), List.of("y"));
        assertThat(first.gradient()).isEqualTo(kept);
        assertThat(graph(spec, w).forwardBackward(x, Map.of(), List.of("y")).gradient()).isEqualTo(kept);
    }

    private static DifferentiableGraph graph(ImageSpec spec, INDArray w) {
        SameDiff sd = SameDiff.create();
        SDVariable x = DifferentiableGraph.inputVariable(sd, "x", spec);
        SDVariable y = sd.math().tanh("y", x.mul(sd.constant("w", w)).add(0.5));
        SDVariable loss = y.mul(y).sum("loss");
        return new DifferentiableGraph(sd, x, loss);
    }
}
