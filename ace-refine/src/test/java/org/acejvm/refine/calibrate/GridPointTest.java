package org.acejvm.refine.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GridPointTest {
    @Test
    void bestFirstRanksFlipsThenSmallerChangeThenConcentration() {
        GridPoint fewFlips = new GridPoint(0, 1, 8, 5, 5, 0.001, 0.9, 0);
        GridPoint bigChange = new GridPoint(0.1, 1, 8, 7, 7, 0.05, 0.9, 0);
        GridPoint spread = new GridPoint(0.01, 1, 8, 7, 7, 0.02, 0.3, 0);
        GridPoint concentrated = new GridPoint(0.001, 1, 8, 7, 7, 0.02, 0.6, 0);
        GridPoint unchanged = new GridPoint(1, 1, 8, 7, 7, 0.02, Double.NaN, 8);
        List<GridPoint> points = new ArrayList<>(List.of(unchanged, fewFlips, spread, bigChange, concentrated));
        points.sort(GridPoint.BEST_FIRST);
        assertThat(points).containsExactly(concentrated, spread, unchanged, bigChange, fewFlips);
        assertThat(fewFlips.flipRate()).isEqualTo(5 / 8.0);
    }
}
