package org.acejvm.refine.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.attacks.Targets;
import org.acejvm.attacks.TinyNets;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.ToyDiffusion;
import org.acejvm.refine.batch.MethodSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class CalibrationTest {
    private static final SameDiffClassifier LINEAR3 = TinyNets.linear(3, 31);
    private static final DiffusionModel MODEL = ToyDiffusion.model();
    private static final Targets NEXT = Targets.from(p -> (p + 1) % 3);

    @Test
    void choosesTheDepthMaskAndBestGridPointAndReportsEveryMeasurement() {
        INDArray x = TinyNets.images(6, 5, 0.2, 0.8);
        CalibrationPlan plan = CalibrationPlan.builder().fractions(0.05, 0.25).agreement(0.5).lambdas(1, 0)
                .steps(2.0 / 255, 8.0 / 255).gridImages(3).gridIterations(3).iterations(7).seed(4).batchSize(4).build();
        List<String> log = new ArrayList<>();
        CalibrationReport r = Calibration.run(LINEAR3, MODEL, x, NEXT, plan, log::add);

        assertThat(r.depth()).hasSize(2);
        assertThat(r.chosen()).isEqualTo(FilterDepth.deepestKept(r.depth(), 0.5));
        assertThat(r.side()).isEqualTo(8);
        assertThat(r.dilation()).isEqualTo(1);
        assertThat(r.grid()).extracting(GridPoint::lambda1).containsExactly(1.0, 1.0, 0.0, 0.0);
        assertThat(r.grid()).extracting(GridPoint::step).containsExactly(2.0 / 255, 8.0 / 255, 2.0 / 255, 8.0 / 255);
        assertThat(r.grid()).allSatisfy(p -> assertThat(p.images()).isEqualTo(3));
        assertThat(r.best()).isEqualTo(r.grid().stream().sorted(GridPoint.BEST_FIRST).findFirst().orElseThrow());

        MethodSpec spec = r.spec();
        assertThat(spec.fraction()).isEqualTo(r.chosen().fraction());
        assertThat(spec.mask().dilation()).isEqualTo(1);
        assertThat(spec.refinement()).isEqualTo(Ablation.ACE);
        assertThat(spec.iterations()).isEqualTo(7);
        assertThat(spec.step()).isEqualTo(r.best().step());
        assertThat(spec.lambda1()).isEqualTo(r.best().lambda1());
        assertThat(MethodSpec.parse(spec.toFullText())).isEqualTo(spec);

        // a grid point is the whole method on the first gridImages images: scored by hand here
        MethodSpec point = spec.with(spec.name(), Ablation.ACE, 0).withAttack(3, r.best().step(), r.best().lambda1());
        INDArray first = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)).dup();
        GridPoint again = AttackGrid.score(first, point.explainer(LINEAR3, MODEL).explain(first, NEXT, new long[] {0, 1, 2}),
                r.best().lambda1(), r.best().step());
        assertThat(again).isEqualTo(r.best());

        // the inpainting start: S, S - 1 and S - 2 refine one attack of the chosen point; the best is in the method
        int s = r.chosen().steps();
        assertThat(r.inpainting()).extracting(InpaintingStart.Row::steps).containsExactly(s, s - 1, s - 2);
        assertThat(r.inpaintingStart()).isEqualTo(InpaintingStart.best(r.inpainting()));
        assertThat(spec.inpaintSteps()).isEqualTo(r.inpaintingStart().steps() == s ? 0 : r.inpaintingStart().steps());
        InpaintingStart.Row fromS = r.inpainting().get(0);
        assertThat(InpaintingStart.best(List.of(new InpaintingStart.Row(3, 3, fromS.flips(), 0.1), fromS)))
                .as("ties go to the deeper start").isEqualTo(fromS);

        assertThat(InpaintingStart.candidates(5, 2)).containsExactly(5, 4, 3);
        assertThat(InpaintingStart.candidates(10, 2)).containsExactly(10, 9, 8, 7, 6, 5);
        assertThat(InpaintingStart.candidates(2, 2)).containsExactly(2, 1);
        assertThat(InpaintingStart.candidates(10, 0)).containsExactly(10);

        // the mask threshold: each candidate refines the same attack from the chosen start; the best is in the method
        assertThat(r.thresholds()).extracting(MaskThreshold.Row::threshold).containsExactly(0.15, 0.25, 0.35, 0.5);
        assertThat(r.threshold()).isEqualTo(MaskThreshold.best(r.thresholds(), r.plan().maxMaskArea()));
        assertThat(spec.mask().threshold()).isEqualTo(r.threshold().threshold());
        // a higher threshold keeps fewer pixels of the attack's change: the mask can only shrink
        for (int i = 1; i < r.thresholds().size(); i++) {
            assertThat(r.thresholds().get(i).maskArea()).isLessThanOrEqualTo(r.thresholds().get(i - 1).maskArea());
        }
        MaskThreshold.Row wide = new MaskThreshold.Row(0.15, 3, 2, 0.1, 0.6), narrow = new MaskThreshold.Row(0.5, 3, 2, 0.1, 0.2),
                lost = new MaskThreshold.Row(0.35, 3, 1, 0.1, 0.1);
        assertThat(MaskThreshold.best(List.of(wide, lost, narrow), 0.35)).as("of the masks within 35%, the most flips")
                .isEqualTo(narrow);

        assertThat(r.toText()).contains("| 0.25 | 5 |").contains("| 0.0 | 8.0 |").contains("iterations=7")
                .contains("## Inpainting start").contains("(the filter's S)").contains("## Mask threshold");
        assertThat(log).hasSize(13);
    }

    @Test
    void aDistanceWeightThatOutweighsTheClassGradientIsDiagnosed() {
        INDArray x = TinyNets.images(3, 6, 0.2, 0.8);
        CalibrationPlan plan = CalibrationPlan.builder().fractions(0.05).lambdas(100).steps(1.0 / 255).gridImages(3)
                .gridIterations(6).build();
        CalibrationReport r = Calibration.run(LINEAR3, MODEL, x, NEXT, plan, null);
        assertThat(r.best().stuck()).isEqualTo(3);
        assertThat(r.best().flips()).isZero();
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("no attack moved").contains(AttackDiagnosis.CAUSE).doesNotContain("ace calibrate"));
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("no grid point flipped"));
    }
}
