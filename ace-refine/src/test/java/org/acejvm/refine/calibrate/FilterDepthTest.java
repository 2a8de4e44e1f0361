package org.acejvm.refine.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.acejvm.attacks.TinyNets;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.diffusion.DdpmFilter;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.refine.ToyDiffusion;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class FilterDepthTest {
    private static final SameDiffClassifier LINEAR3 = TinyNets.linear(3, 31);
    private static final DiffusionModel MODEL = ToyDiffusion.model();

    @Test
    void countsTheImagesWhoseClassTheFilterAloneKeeps() {
        INDArray x = TinyNets.images(10, 4, 0.1, 0.9);
        long[] ids = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        double[] fractions = {0.05, 0.1, 0.12, 0.25, 0.4};
        List<FilterDepth.Row> reported = new java.util.ArrayList<>();
        List<FilterDepth.Row> rows = FilterDepth.measure(LINEAR3, MODEL, x, ids, fractions, NoiseSource.seeded(2), 4, reported::add);
        assertThat(reported).isEqualTo(rows);
        assertThat(rows).extracting(FilterDepth.Row::steps).containsExactly(1, 2, 2, 5, 8);
        int[] before = LINEAR3.predict(x);
        for (FilterDepth.Row r : rows) {
            // by hand, with the filter as one graph on the whole batch
            INDArray filtered = DdpmFilter.ofFraction(MODEL, r.fraction(), true)
                    .filter(x, ids, FilterDepth.CALL_INDEX, NoiseSource.seeded(2));
            int[] after = LINEAR3.predict(filtered);
            int kept = 0;
            for (int i = 0; i < after.length; i++) if (after[i] == before[i]) kept++;
            assertThat(r.kept()).as("fraction %s", r.fraction()).isEqualTo(kept);
            assertThat(r.images()).isEqualTo(10);
        }
        assertThat(rows.get(1)).isEqualTo(new FilterDepth.Row(0.1, 2, rows.get(2).kept(), 10));
    }

    @Test
    void takesTheDeepestFilterThatKeepsEnoughOrElseTheShallowest() {
        List<FilterDepth.Row> rows = List.of(new FilterDepth.Row(0.05, 2, 64, 64), new FilterDepth.Row(0.1, 5, 62, 64),
                new FilterDepth.Row(0.2, 10, 61, 64), new FilterDepth.Row(0.3, 15, 50, 64));
        assertThat(FilterDepth.deepestKept(rows, 0.95).fraction()).isEqualTo(0.2);
        assertThat(FilterDepth.deepestKept(rows, 0.96).fraction()).isEqualTo(0.1);
        assertThat(FilterDepth.deepestKept(rows, 0.5).fraction()).isEqualTo(0.3);
        assertThat(FilterDepth.deepestKept(rows.subList(1, 4), 1.0).fraction()).isEqualTo(0.1);
    }
}
