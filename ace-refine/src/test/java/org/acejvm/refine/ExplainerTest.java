package org.acejvm.refine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.ClassLoss;
import org.acejvm.attacks.GradientAttack;
import org.acejvm.attacks.Targets;
import org.acejvm.attacks.TinyNets;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;
import org.acejvm.diffusion.DiffusionModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ExplainerTest {
    private static final SameDiffClassifier LINEAR3 = TinyNets.linear(3, 31);
    private static final SameDiffClassifier BINARY = TinyNets.linear(1, 41);
    private static final DiffusionModel MODEL = ToyDiffusion.model();
    private static final AttackSettings FEW = AttackSettings.builder().iterations(4).step(4.0 / 255).build();
    private static final MaskSettings SMALL_MASK = new MaskSettings(3, 0.15);

    private static Explainer.Builder ace() {
        return Explainer.builder(LINEAR3).diffusion(MODEL, ToyDiffusion.FRACTION).mask(SMALL_MASK).attackSettings(FEW).seed(11);
    }

    private static double maxDiff(Explanation a, Explanation b) {
        double pre = a.preExplanation().toINDArray().sub(b.preExplanation().toINDArray()).amaxNumber().doubleValue();
        double exp = a.explanation().toINDArray().sub(b.explanation().toINDArray()).amaxNumber().doubleValue();
        return Math.max(pre, exp);
    }

    @Test
    void defaultsArePgdWithoutFilterAndResultsAreConsistent() {
        INDArray x = TinyNets.images(3, 2, 0.2, 0.8);
        Explainer e = Explainer.builder(LINEAR3).attackSettings(FEW.toBuilder().iterations(15).build()).build();
        assertThat(e.method()).isEqualTo("Pre-CE");
        assertThat(e.attack().name()).isEqualTo("PGD");
        List<Explanation> out = e.explain(x, Targets.from(p -> (p + 1) % 3));
        assertThat(out).hasSize(3);
        int[] pred = LINEAR3.predict(x);
        for (int i = 0; i < 3; i++) {
            Explanation r = out.get(i);
            assertThat(r.sampleId()).isEqualTo(i);
            assertThat(r.source()).isEqualTo(pred[i]);
            assertThat(r.target()).isEqualTo((pred[i] + 1) % 3);
            assertThat(r.explanation()).isEqualTo(r.preExplanation());
            assertThat(r.noisyStart()).isNull();
            assertThat(r.before().predicted()).isEqualTo(pred[i]);
            assertThat(r.after().target()).isGreaterThan(r.before().target());
            assertThat(r.success()).isEqualTo(r.after().predicted() == r.target());
            assertThat(r.attackSuccess()).isTrue();
            assertThat(r.iterations()).isEqualTo(15);
            assertThat(r.preExplanation().shape()).containsExactly(1, 8, 8);
            assertThat(r.mask().shape()).containsExactly(1, 8, 8);
        }
        assertThat(ExplanationJson.listFromJson(ExplanationJson.toJson(out))).isEqualTo(out);
    }

    @Test
    void aceResultsDoNotDependOnTheBatchSize() {
        INDArray x = TinyNets.images(5, 3, 0.1, 0.9);
        long[] ids = {10, 11, 12, 13, 14};
        List<Explanation> whole = ace().batchSize(5).build().explain(x, Targets.untargeted(), ids);
        List<Explanation> split = ace().batchSize(2).build().explain(x, Targets.untargeted(), ids);
        assertThat(whole).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(split.get(i).sampleId()).isEqualTo(ids[i]);
            assertThat(maxDiff(whole.get(i), split.get(i))).as("image " + i).isLessThanOrEqualTo(1e-6);
            assertThat(whole.get(i).mask()).isEqualTo(split.get(i).mask());
            assertThat(whole.get(i).noisyStart()).isNotNull();
            assertThat(whole.get(i).method()).isEqualTo("ACE");
            assertThat(whole.get(i).target()).isEqualTo(-1);
        }
    }

    @Test
    void variantsAreIndependentNoiseStreamsAndVariantZeroIsTheSingleRun() {
        INDArray x = TinyNets.images(2, 4, 0.1, 0.9);
        List<Long> progress = new ArrayList<>();
        List<Explanation> streamed = new ArrayList<>();
        ExplainListener listener = new ExplainListener() {
            @Override public void onProgress(long done, long total) { progress.add(done); }
            @Override public void onExplanation(Explanation e) { streamed.add(e); }
        };
        List<Explanation> two = ace().build().explain(x, Targets.of(0).allowingSource(), null, 2, listener);
        List<Explanation> one = ace().build().explain(x, Targets.of(0).allowingSource());
        assertThat(two).hasSize(4);
        assertThat(streamed).hasSize(4);
        assertThat(progress).containsExactly(2L, 4L);
        assertThat(two.get(0).variant()).isZero();
        assertThat(two.get(1).variant()).isEqualTo(1);
        assertThat(two.get(1).sampleId()).isEqualTo(0);
        assertThat(maxDiff(two.get(0), one.get(0))).isLessThanOrEqualTo(1e-6);
        assertThat(maxDiff(two.get(2), one.get(1))).isLessThanOrEqualTo(1e-6);
        assertThat(maxDiff(two.get(0), two.get(1))).isGreaterThan(1e-3);
        assertThatThrownBy(() -> ace().noise(NoiseSource.supplied(List.of())).build()
                .explain(x, Targets.untargeted(), null, 2, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("seeded");
    }

    @Test
    void ablationsAreConfigurations() {
        INDArray x = TinyNets.images(2, 5, 0.1, 0.9);
        for (Ablation a : Ablation.values()) {
            Explainer e = ace().ablation(a).build();
            List<Explanation> out = e.explain(x, Targets.untargeted());
            assertThat(out.get(0).method()).isEqualTo(a.label());
            assertThat(e.filter()).isNotNull();
            if (a == Ablation.PRE_CE) assertThat(out.get(0).explanation()).isEqualTo(out.get(0).preExplanation());
            if (a == Ablation.FR_CE || a == Ablation.F_CE) {
                assertThat(out.get(0).explanation()).isNotEqualTo(out.get(0).preExplanation());
                assertThat(out.get(0).noisyStart()).isNull();
            }
        }
        assertThatThrownBy(() -> Explainer.builder(LINEAR3).ablation(Ablation.FR_CE).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("diffusion");
    }

    /** The inpainting start is the filter's S unless set; the setting survives mask, ablation and resampling in any order. */
    @Test
    void inpaintingStepsOverrideTheFiltersSteps() {
        assertThat(steps(ace())).isEqualTo(5); // int(0.25 * 20), the filter's
        assertThat(steps(ace().inpaintingSteps(3))).isEqualTo(3);
        assertThat(steps(Explainer.builder(LINEAR3).inpaintingSteps(3).diffusion(MODEL, ToyDiffusion.FRACTION))).isEqualTo(3);
        assertThat(steps(ace().inpaintingSteps(3).mask(new MaskSettings(1, 0.3)).ablation(Ablation.PRE_CE).ablation(Ablation.ACE)))
                .isEqualTo(3);
        Explainer resampled = ace().resampling(1, 2).inpaintingSteps(4).build();
        assertThat(((InpaintingRefiner) resampled.refiner()).inpainter().jumpCount()).isEqualTo(2);
        assertThat(((InpaintingRefiner) resampled.refiner()).inpainter().steps()).isEqualTo(4);
        // the filter the attack sees keeps its own S
        assertThat(((org.acejvm.diffusion.DdpmFilter) ace().inpaintingSteps(3).build().filter()).steps()).isEqualTo(5);
        // a shorter inpainting starts from a less noisy image: it stays closer to the pre-explanation
        INDArray x = TinyNets.images(2, 9, 0.1, 0.9);
        Explanation full = ace().build().explain(x, Targets.untargeted()).get(0);
        Explanation shorter = ace().inpaintingSteps(1).build().explain(x, Targets.untargeted()).get(0);
        assertThat(shorter.preExplanation()).isEqualTo(full.preExplanation());
        assertThat(distance(shorter)).isLessThan(distance(full));
        assertThatThrownBy(() -> ace().inpaintingSteps(0)).isInstanceOf(InvalidInputException.Range.class)
                .hasMessageContaining("inpaintingSteps");
        assertThatThrownBy(() -> ace().inpaintingSteps(21).build()).isInstanceOf(InvalidInputException.Range.class)
                .hasMessageContaining("[1, 20]");
    }

    /** The builder records choices and assembles them in build(): the same explainer whatever the call order. */
    @Test
    void theBuilderDoesNotDependOnCallOrder() {
        MaskSettings m = new MaskSettings(1, 0.3);
        Explainer a = Explainer.builder(LINEAR3).ablation(Ablation.FR_CE).mask(m).diffusion(MODEL, ToyDiffusion.FRACTION).build();
        Explainer b = Explainer.builder(LINEAR3).diffusion(MODEL, ToyDiffusion.FRACTION).mask(m).ablation(Ablation.FR_CE).build();
        assertThat(a.refiner().maskSettings()).isEqualTo(m).isEqualTo(b.refiner().maskSettings());
        assertThat(a.method()).isEqualTo("FR-CE").isEqualTo(b.method());
        // settings given before the attack apply to it, and an explicit setter beats the preset whatever the order
        AttackSettings s = FEW.toBuilder().iterations(3).build();
        assertThat(Explainer.builder(LINEAR3).attackSettings(s).attack(Attacks.gd()).build().attack().settings()).isEqualTo(s);
        DiffusionModel fm = AcePreset.FASHION_MNIST.diffusionModel(ToyDiffusion.unet(), TinyNets.SPEC);
        Explainer p1 = Explainer.builder(LINEAR3).mask(m).preset(AcePreset.FASHION_MNIST, fm).build();
        Explainer p2 = Explainer.builder(LINEAR3).preset(AcePreset.FASHION_MNIST, fm).mask(m).build();
        assertThat(p1.refiner().maskSettings()).isEqualTo(m).isEqualTo(p2.refiner().maskSettings());
        assertThatThrownBy(() -> Explainer.builder(LINEAR3).refiner(Refiner.identity()).ablation(Ablation.PRE_CE).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> Explainer.builder(LINEAR3).resampling(1, 2).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("resampling");
    }

    /** Stage 1 then stage 2 gives what explain gives, bit for bit (noise is keyed by sample, not drawn in order). */
    @Test
    void attackThenRefineEqualsExplain() {
        INDArray x = TinyNets.images(3, 11, 0.1, 0.9);
        long[] ids = {7, 3, 9};
        List<Explanation> whole = ace().batchSize(2).build().explain(x, Targets.untargeted(), ids);
        List<Explanation> pre = ace().ablation(Ablation.PRE_CE).batchSize(3).build().attack(x, Targets.untargeted(), ids, null);
        List<Explanation> refined = ace().batchSize(1).build().refine(x, pre, null);
        for (int i = 0; i < 3; i++) {
            assertThat(pre.get(i).method()).isEqualTo("Pre-CE");
            assertThat(refined.get(i).method()).isEqualTo("ACE");
            assertThat(refined.get(i).sampleId()).isEqualTo(ids[i]);
            assertThat(refined.get(i).explanation()).isEqualTo(whole.get(i).explanation());
            assertThat(refined.get(i).mask()).isEqualTo(whole.get(i).mask());
            assertThat(refined.get(i).after()).isEqualTo(whole.get(i).after());
            assertThat(refined.get(i).success()).isEqualTo(whole.get(i).success());
            assertThat(refined.get(i).preExplanation()).isEqualTo(pre.get(i).preExplanation());
        }
    }

    private static int steps(Explainer.Builder b) {
        return ((InpaintingRefiner) b.build().refiner()).inpainter().steps();
    }

    private static double distance(Explanation e) {
        return e.explanation().toINDArray().sub(e.preExplanation().toINDArray()).norm1Number().doubleValue();
    }

    @Test
    void presetsCarryThePublishedSettings() {
        assertThat(AcePreset.CELEBA.filterSteps()).isEqualTo(5);
        assertThat(AcePreset.CELEBA_HQ.filterSteps()).isEqualTo(5);
        assertThat(AcePreset.BDD.filterSteps()).isEqualTo(5);
        assertThat(AcePreset.BDD.threshold()).isEqualTo(0.05);
        assertThat(AcePreset.IMAGENET.iterations()).isEqualTo(100);
        DiffusionModel m = AcePreset.FASHION_MNIST.diffusionModel(ToyDiffusion.unet(), TinyNets.SPEC);
        assertThat(m.spacedSchedule().timestepMap()).startsWith(0, 10, 20, 31, 41);
        Explainer e = Explainer.builder(LINEAR3).preset(AcePreset.FASHION_MNIST, m).build();
        assertThat(e.attack().settings().iterations()).isEqualTo(50);
        assertThat(e.attack().settings().lambda1()).isEqualTo(0.001);
        assertThat(e.attack().settings().filterSamples()).isEqualTo(1);
        assertThat(e.refiner().maskSettings()).isEqualTo(new MaskSettings(15, 0.15));
        // a preset's filter draws reach the attack; an explicit attack setting still wins
        AcePreset twoDraws = new AcePreset("two draws", 500, 50, 0.1, 50, 4.0 / 255, 5, 0.15, 4, 2);
        assertThat(Explainer.builder(LINEAR3).preset(twoDraws, m).build().attack().settings().filterSamples()).isEqualTo(2);
        assertThat(Explainer.builder(LINEAR3).preset(twoDraws, m).attackSettings(FEW).build().attack().settings()
                .filterSamples()).isEqualTo(FEW.filterSamples());
        // so does its class loss, unless an attack is given
        AcePreset margin = new AcePreset("margin", 500, 50, 0.1, 50, 4.0 / 255, 5, 0.15, 4, 2, ClassLoss.margin(10));
        assertThat(((GradientAttack) Explainer.builder(LINEAR3).preset(margin, m).build().attack()).classLoss())
                .isEqualTo(ClassLoss.margin(10));
        assertThat(((GradientAttack) e.attack()).classLoss()).isEqualTo(new ClassLoss.CrossEntropy());
        assertThat(((GradientAttack) Explainer.builder(LINEAR3).preset(margin, m).attack(Attacks.pgd()).build().attack())
                .classLoss()).isEqualTo(new ClassLoss.CrossEntropy());
        assertThatThrownBy(() -> new AcePreset("no draws", 500, 50, 0.1, 50, 4.0 / 255, 5, 0.15, 4, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("filterSamples");
        assertThat(e.method()).isEqualTo("ACE");
        Explainer resampled = Explainer.builder(LINEAR3).preset(AcePreset.FASHION_MNIST, m).resampling(1, 2).build();
        assertThat(((InpaintingRefiner) resampled.refiner()).inpainter().jumpCount()).isEqualTo(2);
    }

    @Test
    void binaryOppositeAndCw() {
        INDArray x = TinyNets.images(2, 6, 0.2, 0.8);
        List<Explanation> out = Explainer.builder(BINARY)
                .attack(Attacks.cw(0, FEW.toBuilder().step(0.5).iterations(10).build())).build()
                .explain(x, Targets.opposite());
        for (Explanation r : out) {
            assertThat(r.target()).isEqualTo(1 - r.source());
            assertThat(r.afterAttack().target()).isGreaterThan(r.before().target());
        }
    }

    @Test
    void badInputFailsEarly() {
        INDArray x = TinyNets.images(3, 7, 0.2, 0.8);
        Explainer e = Explainer.builder(LINEAR3).attackSettings(FEW).build();
        assertThatThrownBy(() -> e.explain(x, Targets.classes(1, 2))).isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> e.explain(x, Targets.untargeted(), new long[] {1, 2})).isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> Explainer.builder(LINEAR3).batchSize(0)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> Explainer.builder(TinyNets.linear(3, 1)).filter(
                org.acejvm.diffusion.DdpmFilter.ofFraction(DiffusionModel.builder(ToyDiffusion.unet(),
                        new org.acejvm.core.ImageSpec(1, 4, 4)).build(), 0.005, true)).build())
                .isInstanceOf(InvalidInputException.Mismatch.class);
    }
}
