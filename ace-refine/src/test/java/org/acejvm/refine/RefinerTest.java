package org.acejvm.refine;

import static org.assertj.core.api.Assertions.assertThat;

import org.acejvm.attacks.TinyNets;
import org.acejvm.core.NoiseSource;
import org.acejvm.diffusion.DdpmFilter;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.Inpainter;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

class RefinerTest {
    private static final DiffusionModel MODEL = ToyDiffusion.model();
    private static final long[] IDS = {3, 8};

    private static INDArray[] pair() {
        INDArray x = TinyNets.images(2, 1, 0, 1);
        INDArray pre = x.dup();
        for (int y = 2; y < 4; y++) for (int xx = 2; xx < 4; xx++) pre.putScalar(new long[] {0, 0, y, xx}, 0.9f);
        pre.putScalar(new long[] {1, 0, 6, 6}, 0.05f);
        return new INDArray[] {x, pre};
    }

    @Test
    void identityReturnsThePreExplanationAndTheReferenceMask() {
        INDArray[] p = pair();
        Refinement r = Refiner.identity().refine(p[0], p[1], IDS, null);
        assertThat(r.explanation()).isEqualTo(p[1]);
        assertThat(r.keep()).isEqualTo(Masks.keep(p[0], p[1], MaskSettings.reference()));
        assertThat(r.noisyStart()).isNull();
    }

    @Test
    void filterRefinerIsTheFilterOnThePreExplanation() {
        INDArray[] p = pair();
        DdpmFilter f = DdpmFilter.ofFraction(MODEL, ToyDiffusion.FRACTION, true);
        Refinement r = Refiner.filter(f, "FR-CE").refine(p[0], p[1], IDS, NoiseSource.seeded(4));
        INDArray expected = f.filter(p[1], IDS, -1, NoiseSource.seeded(4));
        expected = Transforms.min(Transforms.max(expected, 0.0), 1.0);
        assertThat(r.explanation().sub(expected).amaxNumber().doubleValue()).isLessThan(1e-6);
        assertThat(r.explanation().minNumber().doubleValue()).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    void aStepByStepFilterRefinesLikeItsOneGraphForm() {
        INDArray[] p = pair();
        DdpmFilter oneGraph = DdpmFilter.ofFraction(MODEL, ToyDiffusion.FRACTION, true);
        DdpmFilter stepwise = oneGraph.withGradientMode(DdpmFilter.GradientMode.RECOMPUTE_PER_STEP);
        Refinement a = Refiner.filter(oneGraph, "FR-CE").refine(p[0], p[1], IDS, NoiseSource.seeded(4));
        Refinement b = Refiner.filter(stepwise, "FR-CE").refine(p[0], p[1], IDS, NoiseSource.seeded(4));
        assertThat(b.explanation().sub(a.explanation()).amaxNumber().doubleValue()).isLessThan(1e-6);
        assertThat(b.explanation().sub(p[1]).amaxNumber().doubleValue()).isGreaterThan(1e-3);
        assertThat(b.keep()).isEqualTo(a.keep());
    }

    @Test
    void inpaintingKeepsTheOriginalOutsideTheMaskAndReportsTheNoisyStart() {
        INDArray[] p = pair();
        Inpainter inpainter = Inpainter.ofFraction(MODEL, ToyDiffusion.FRACTION);
        // dilation 3: with 15 the whole 8x8 image would be re-generated
        Refinement r = Refiner.inpainting(inpainter, new MaskSettings(3, 0.15)).refine(p[0], p[1], IDS, NoiseSource.seeded(5));
        INDArray direct = inpainter.inpaint(p[0], p[1], r.keep(), IDS, NoiseSource.seeded(5));
        assertThat(r.explanation()).isEqualTo(direct);
        INDArray keptDiff = r.explanation().sub(p[0]).mul(r.keep());
        assertThat(keptDiff.amaxNumber().doubleValue()).isLessThan(1e-6);
        assertThat(r.keep().minNumber().doubleValue()).isZero();
        assertThat(r.keep().maxNumber().doubleValue()).isEqualTo(1.0);
        // the noisy start is q_sample(2 pre - 1, S - 1) with the inpainter's start noise, in [0, 1]
        INDArray startNoise = NoiseSource.seeded(5).gaussian(IDS,
                NoiseSource.stream(Inpainter.INPAINT_STREAM, 0, 0), 1, 8, 8);
        INDArray z = MODEL.qSample(p[1].mul(2).sub(1), inpainter.steps() - 1, startNoise).add(1).mul(0.5);
        INDArray expected = Transforms.min(Transforms.max(z, 0.0), 1.0);
        assertThat(r.noisyStart().sub(expected).amaxNumber().doubleValue()).isLessThan(1e-6);
    }
}
