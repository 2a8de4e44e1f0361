package org.acejvm.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Schedules and respacing against values computed independently in numpy float64 (scripts/diffusion_reference_values.py). */
class ScheduleTest {
    private static JsonNode ref;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = ScheduleTest.class.getResourceAsStream("/diffusion/reference_values.json")) {
            ref = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void publishedRespacings() {
        assertThat(first5(500, "50")).containsExactly(0, 10, 20, 31, 41);
        assertThat(first5(500, "25")).containsExactly(0, 21, 42, 62, 83);
        assertThat(first5(1000, "25")).containsExactly(0, 42, 83, 125, 166);
        SpacedSchedule s = SpacedSchedule.of(NoiseSchedule.linear(500), 50);
        assertThat(s.stepsForFraction(0.1)).isEqualTo(5);
        assertThat(SpacedSchedule.of(NoiseSchedule.linear(500), 25).stepsForFraction(0.2)).isEqualTo(5);
        assertThat(SpacedSchedule.of(NoiseSchedule.linear(1000), 100).stepsForFraction(0.05)).isEqualTo(5);
        assertThat(s.modelTimestep(4)).isEqualTo(41);
        assertThat(s.modelTimestep(49)).isEqualTo(499);
    }

    private static int[] first5(int t, String spacing) {
        int[] a = SpacedSchedule.spaceTimesteps(t, spacing);
        return java.util.Arrays.copyOf(a, 5);
    }

    @Test
    void spacingsMatchReference() {
        for (JsonNode c : ref.get("spacings")) {
            int[] expected = ints(c.get("timesteps"));
            int[] got = SpacedSchedule.spaceTimesteps(c.get("T").asInt(), c.get("spacing").asText());
            assertThat(got).as("T=%s spacing=%s", c.get("T"), c.get("spacing")).containsExactly(expected);
        }
    }

    @Test
    void schedulesMatchReference() {
        for (JsonNode c : ref.get("schedules")) {
            NoiseSchedule s = NoiseSchedule.named(c.get("name").asText(), c.get("T").asInt());
            compare(s, ints(c.get("steps")), c.get("values"), c.get("name").asText() + c.get("T"));
        }
    }

    @Test
    void respacedSchedulesMatchReference() {
        for (JsonNode c : ref.get("respaced")) {
            NoiseSchedule base = NoiseSchedule.named(c.get("name").asText(), c.get("T").asInt());
            SpacedSchedule sp = SpacedSchedule.of(base, c.get("spacing").asText());
            assertThat(sp.timestepMap()).containsExactly(ints(c.get("timesteps")));
            int[] idx = new int[sp.numSteps()];
            for (int i = 0; i < idx.length; i++) idx[i] = i;
            compare(sp.schedule(), idx, c.get("values"), "respaced " + c.get("spacing").asText());
            // the respaced cumulative products are the original ones at the kept timesteps
            for (int k = 0; k < sp.numSteps(); k++) {
                assertThat(sp.schedule().alphaCumprod(k))
                        .isCloseTo(base.alphaCumprod(sp.modelTimestep(k)), org.assertj.core.data.Percentage.withPercentage(1e-10));
            }
        }
    }

    private static void compare(NoiseSchedule s, int[] steps, JsonNode values, String what) {
        Map<String, IntToDoubleFunction> getters = Map.ofEntries(
                Map.entry("betas", s::beta),
                Map.entry("alphas_cumprod", s::alphaCumprod),
                Map.entry("alphas_cumprod_prev", s::alphaCumprodPrev),
                Map.entry("sqrt_alphas_cumprod", s::sqrtAlphaCumprod),
                Map.entry("sqrt_one_minus_alphas_cumprod", s::sqrtOneMinusAlphaCumprod),
                Map.entry("sqrt_recip_alphas_cumprod", s::sqrtRecipAlphaCumprod),
                Map.entry("sqrt_recipm1_alphas_cumprod", s::sqrtRecipm1AlphaCumprod),
                Map.entry("posterior_variance", s::posteriorVariance),
                Map.entry("posterior_log_variance_clipped", s::posteriorLogVarianceClipped),
                Map.entry("posterior_mean_coef1", s::posteriorMeanCoef1),
                Map.entry("posterior_mean_coef2", s::posteriorMeanCoef2));
        Iterator<String> names = values.fieldNames();
        int checked = 0;
        while (names.hasNext()) {
            String name = names.next();
            IntToDoubleFunction g = getters.get(name);
            assertThat(g).as("getter for %s", name).isNotNull();
            JsonNode arr = values.get(name);
            for (int i = 0; i < steps.length; i++) {
                double expected = arr.get(i).asDouble();
                double got = g.applyAsDouble(steps[i]);
                double tol = 1e-12 * Math.max(1e-300, Math.abs(expected));
                assertThat(Math.abs(got - expected)).as("%s %s[%d]: got %s expected %s", what, name, steps[i], got, expected)
                        .isLessThanOrEqualTo(tol);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(0);
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    @Test
    void linearScheduleEndpoints() {
        NoiseSchedule s = NoiseSchedule.linear(500);
        assertThat(s.beta(0)).isEqualTo(2e-4);
        assertThat(s.beta(499)).isEqualTo(0.04);
        assertThat(s.posteriorVariance(0)).isEqualTo(0.0);
        assertThat(s.posteriorLogVarianceClipped(0)).isEqualTo(s.posteriorLogVarianceClipped(1));
        assertThat(s.fixedLargeVariance(0)).isEqualTo(s.posteriorVariance(1));
        assertThat(s.fixedLargeVariance(3)).isEqualTo(s.beta(3));
    }

    @Test
    void badSpacingsFailWithTypedErrors() {
        assertThatThrownBy(() -> SpacedSchedule.spaceTimesteps(10, "11")).isInstanceOf(InvalidInputException.Range.class)
                .hasMessageContaining("section of 10");
        assertThatThrownBy(() -> SpacedSchedule.spaceTimesteps(1000, "ddim999")).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> SpacedSchedule.spaceTimesteps(100, "a,b")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'a'");
        assertThatThrownBy(() -> NoiseSchedule.linear(1)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> NoiseSchedule.named("quadratic", 10)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> NoiseSchedule.fromBetas(new double[] {0.1, 0})).isInstanceOf(InvalidInputException.Range.class);
        SpacedSchedule s = SpacedSchedule.of(NoiseSchedule.linear(100), 10);
        assertThatThrownBy(() -> s.modelTimestep(10)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> s.stepsForFraction(0.01)).isInstanceOf(InvalidInputException.Range.class);
    }
}
