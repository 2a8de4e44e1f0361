package org.acejvm.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Import-time shape arithmetic with a free batch size N. */
class DimTest {
    @Test
    void arithmetic() {
        Dim n4 = Dim.N.times(Dim.of(4));
        assertThat(n4).hasToString("4N");
        assertThat(n4.dividedBy(Dim.of(2))).isEqualTo(new Dim(2, true));
        assertThat(n4.dividedBy(Dim.N)).isEqualTo(Dim.of(4));
        assertThat(Dim.of(7).dividedBy(Dim.of(2))).isEqualTo(Dim.of(3));
        assertThat(Dim.N.plus(Dim.N)).isEqualTo(new Dim(2, true));
        assertThatThrownBy(() -> Dim.N.times(Dim.N)).isInstanceOf(ShapeException.class);
        assertThatThrownBy(() -> Dim.N.plus(Dim.of(1))).isInstanceOf(ShapeException.class);
        assertThatThrownBy(() -> n4.dividedBy(Dim.of(3))).isInstanceOf(ShapeException.class);
        assertThatThrownBy(() -> Dim.N.value()).isInstanceOf(ShapeException.class);
    }

    @Test
    void reshapeTargetsAndBroadcasting() {
        assertThat(Shapes.forReshape(new Dim[] {n(4), Dim.of(32), Dim.of(256)})).containsExactly(-1, 32, 256);
        assertThatThrownBy(() -> Shapes.forReshape(new Dim[] {Dim.N, Dim.N})).isInstanceOf(ShapeException.class);
        assertThat(Shapes.broadcast(new Dim[] {Dim.N, Dim.of(8), Dim.of(1), Dim.of(1)}, Shapes.of(8, 4, 4)))
                .containsExactly(Dim.N, Dim.of(8), Dim.of(4), Dim.of(4));
        assertThatThrownBy(() -> Shapes.broadcast(Shapes.of(3), Shapes.of(4))).isInstanceOf(ShapeException.class);
        assertThat(Shapes.product(new Dim[] {Dim.N, Dim.of(3), Dim.of(5)}, 0, 3)).isEqualTo(new Dim(15, true));
    }

    private static Dim n(long k) {
        return new Dim(k, true);
    }
}
