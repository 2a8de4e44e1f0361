package org.acejvm.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Inpainting refinement against the independent PyTorch implementation (scripts/make_filter_reference.py). */
class InpainterTest {
    private static final String DIR = "/diffusion/tiny";
    private static final ImageSpec SPEC = new ImageSpec(3, 16, 16);
    private static DiffusionModel model;
    private static INDArray images, pre, keep;

    @BeforeAll
    static void setUp() {
        model = DiffusionModel.builder(TinyEpsModel.load(DIR, 6, false), SPEC)
                .schedule(NoiseSchedule.linear(500), "50").build();
        images = TinyEpsModel.npy(DIR + "/images.npy");
        pre = TinyEpsModel.npy(DIR + "/pre.npy");
        keep = TinyEpsModel.npy(DIR + "/keep.npy");
    }

    @Test
    void referenceRefinementMatchesPyTorch() {
        Inpainter inp = Inpainter.of(model, 5);
        assertThat(inp.plan().toString()).isEqualTo("[down@4, down@3, down@2, down@1, down@0]");
        INDArray out = inp.inpaint(images, pre, keep, new long[] {0, 1},
                FilterReferenceTest.supplied(TinyEpsModel.npy(DIR + "/inpaint_reference/noise.npy")));
        double err = FilterReferenceTest.relErr(out, TinyEpsModel.npy(DIR + "/inpaint_reference/out.npy"));
        System.out.printf("inpaint reference: rel err %.3e%n", err);
        assertThat(err).isLessThan(1e-4);
        assertKeptPixelsAreOriginal(out);
    }

    @Test
    void repaintResamplingMatchesPyTorch() {
        Inpainter inp = Inpainter.of(model, 5).withResampling(2, 3);
        // RePaint's get_schedule_jump(5, jump_length=2, jump_n_sample=3): 4 3 2 3 4 3 2 3 4 3 2 1 0 1 2 1 0 1 2 1 0 -1
        assertThat(inp.plan().toString()).isEqualTo("[down@4, down@3, up->3, up->4, down@4, down@3, up->3, up->4, down@4, "
                + "down@3, down@2, down@1, up->1, up->2, down@2, down@1, up->1, up->2, down@2, down@1, down@0]");
        INDArray noise = TinyEpsModel.npy(DIR + "/inpaint_repaint/noise.npy");
        INDArray out = inp.inpaint(images, pre, keep, new long[] {0, 1}, FilterReferenceTest.supplied(noise));
        double err = FilterReferenceTest.relErr(out, TinyEpsModel.npy(DIR + "/inpaint_repaint/out.npy"));
        System.out.printf("inpaint RePaint (jump 2 x 3, %d draws): rel err %.3e%n", noise.size(0), err);
        assertThat(err).isLessThan(1e-4);
        assertKeptPixelsAreOriginal(out);
    }

    /** Where keep is 1 the output is the original bit for bit (the explanation differs only inside the mask). */
    private static void assertKeptPixelsAreOriginal(INDArray out) {
        INDArray k = keep.broadcast(out.shape()).eq(1.0).castTo(out.dataType());
        assertThat(k.sumNumber().doubleValue()).isGreaterThan(0);
        double maxDiff = Transforms.abs(out.sub(images).muli(k)).maxNumber().doubleValue();
        assertThat(maxDiff).isZero();
        assertThat(out.minNumber().doubleValue()).isGreaterThanOrEqualTo(0.0);
        assertThat(out.maxNumber().doubleValue()).isLessThanOrEqualTo(1.0);
    }

    @Test
    void seededIsDeterministicAndPerSample() {
        Inpainter inp = Inpainter.of(model, 5);
        INDArray a = inp.inpaint(images, pre, keep, new long[] {7, 8}, NoiseSource.seeded(3));
        INDArray b = inp.inpaint(images, pre, keep, new long[] {7, 8}, NoiseSource.seeded(3));
        assertThat(a).isEqualTo(b);
        // sample 8 alone gives the same result as in the batch
        INDArray single = inp.inpaint(images.slice(1).reshape(1, 3, 16, 16).dup(),
                pre.slice(1).reshape(1, 3, 16, 16).dup(), keep.slice(1).reshape(1, 1, 16, 16).dup(), new long[] {8},
                NoiseSource.seeded(3));
        assertThat(FilterReferenceTest.relErr(single, a.slice(1).reshape(1, 3, 16, 16))).isLessThan(1e-6);
        INDArray c = inp.inpaint(images, pre, keep, new long[] {7, 8}, NoiseSource.seeded(4));
        assertThat(Transforms.abs(a.sub(c)).maxNumber().doubleValue()).isGreaterThan(1e-3);
        assertKeptPixelsAreOriginal(a);
    }

    @Test
    void keepEverythingReturnsTheOriginal() {
        INDArray ones = Nd4j.ones(2, 1, 16, 16);
        INDArray out = Inpainter.of(model, 3).inpaint(images, pre, ones, new long[] {0, 1}, NoiseSource.seeded(1));
        assertThat(out).isEqualTo(images);
    }

    @Test
    void plans() {
        assertThat(Inpainter.buildPlan(3, 1, 1)).hasSize(3);
        List<Inpainter.Op> p = Inpainter.buildPlan(5, 1, 2);
        // jumps of one level at 0..3, each traversed twice
        assertThat(p.stream().filter(o -> !o.down()).count()).isEqualTo(4);
        assertThat(p.stream().filter(Inpainter.Op::down).count()).isEqualTo(9);
        assertThat(p.get(p.size() - 1)).isEqualTo(new Inpainter.Op(true, 0));
    }

    @Test
    void withStepsKeepsTheResampling() {
        Inpainter resampled = Inpainter.of(model, 5).withResampling(2, 3).withSteps(4);
        assertThat(resampled.steps()).isEqualTo(4);
        assertThat(resampled.jumpLength()).isEqualTo(2);
        assertThat(resampled.jumpCount()).isEqualTo(3);
        assertThat(Inpainter.of(model, 5).withSteps(3).jumpCount()).isEqualTo(1);
        // the jump must stay shorter than the new start, and the start within the respaced steps
        assertThatThrownBy(() -> Inpainter.of(model, 5).withResampling(2, 3).withSteps(2))
                .isInstanceOf(InvalidInputException.Range.class).hasMessageContaining("jumpLength");
        assertThatThrownBy(() -> Inpainter.of(model, 5).withSteps(51)).isInstanceOf(InvalidInputException.Range.class);
    }

    @Test
    void badInputsFailWithTypedErrors() {
        Inpainter inp = Inpainter.of(model, 5);
        long[] ids = {0, 1};
        NoiseSource n = NoiseSource.seeded(0);
        assertThatThrownBy(() -> inp.inpaint(images, pre, Nd4j.ones(2, 2, 16, 16), ids, n))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("keep");
        assertThatThrownBy(() -> inp.inpaint(images, pre, keep.mul(2), ids, n))
                .isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> inp.inpaint(images, pre.mul(3), keep, ids, n))
                .isInstanceOf(InvalidInputException.Range.class).hasMessageContaining("preExplanation");
        assertThatThrownBy(() -> inp.inpaint(images, pre, keep, new long[] {0}, n))
                .isInstanceOf(InvalidInputException.Mismatch.class);
        INDArray nan = images.dup();
        nan.putScalar(0, Double.NaN);
        assertThatThrownBy(() -> inp.inpaint(nan, pre, keep, ids, n)).isInstanceOf(InvalidInputException.NonFinite.class);
        assertThatThrownBy(() -> Inpainter.of(model, 51)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> inp.withResampling(5, 2)).isInstanceOf(InvalidInputException.Range.class);
        assertThat(BooleanIndexing.or(keep, Conditions.equals(0))).isTrue();
    }
}
