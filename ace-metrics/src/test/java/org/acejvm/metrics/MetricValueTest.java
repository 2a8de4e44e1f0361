package org.acejvm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricValueTest {

    @Test
    void definedValuesAreFiniteNumbers() {
        MetricValue v = MetricValue.of(0.25, 8);
        assertThat(v.isDefined()).isTrue();
        assertThat(v.value()).isEqualTo(0.25);
        assertThat(v.count()).isEqualTo(8);
        assertThat(v.reason()).isEmpty();
        assertThat(v.toString()).isEqualTo("0.25 (n=8)");
        assertThatThrownBy(() -> MetricValue.of(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetricValue.of(Double.POSITIVE_INFINITY, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void undefinedValuesCarryTheirReason() {
        MetricValue v = MetricValue.undefined("no successful counterfactuals", 0);
        assertThat(v.isDefined()).isFalse();
        assertThat(v.reason()).contains("no successful counterfactuals");
        assertThat(v.orElse(-1)).isEqualTo(-1);
        assertThat(v.toString()).isEqualTo("undefined: no successful counterfactuals (n=0)");
        assertThatThrownBy(v::value).isInstanceOf(UndefinedMetricException.class)
                .hasMessageContaining("no successful counterfactuals");
        assertThatThrownBy(() -> MetricValue.undefined(" ", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Metrics.mean(3, 0, "nothing")).isEqualTo(MetricValue.undefined("nothing", 0));
        assertThat(Metrics.mean(3, 4, "nothing")).isEqualTo(MetricValue.of(0.75, 4));
    }

    @Test
    void selectKeepsTheMarkedSamples() {
        org.nd4j.linalg.api.ndarray.INDArray batch = org.nd4j.linalg.factory.Nd4j.arange(12).reshape(3, 1, 2, 2);
        org.nd4j.linalg.api.ndarray.INDArray kept = Metrics.select(batch, new boolean[] {true, false, true}).orElseThrow();
        assertThat(kept.shape()).containsExactly(2, 1, 2, 2);
        assertThat(kept.getDouble(1, 0, 1, 1)).isEqualTo(11.0);
        assertThat(Metrics.select(batch, new boolean[3])).isEmpty();
        assertThatThrownBy(() -> Metrics.select(batch, new boolean[2]))
                .isInstanceOf(org.acejvm.core.InvalidInputException.Mismatch.class);
    }
}
