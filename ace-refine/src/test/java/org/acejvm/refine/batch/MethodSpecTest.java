package org.acejvm.refine.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.acejvm.attacks.ClassLoss;
import org.acejvm.attacks.GradientAttack;
import org.acejvm.core.InvalidInputException;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.MaskSettings;
import org.junit.jupiter.api.Test;

class MethodSpecTest {
    static final MethodSpec ACE = new MethodSpec("ACE-l1", "PGD", 0, 50, 4.0 / 255, 0.001, 0, null, 0.1, Ablation.ACE,
            new MaskSettings(5, 0.15), 4, 0, 8);

    @Test
    void roundTripsThroughText() {
        assertThat(MethodSpec.parse(ACE.toFullText())).isEqualTo(ACE);
        MethodSpec stop = new MethodSpec("x", "cw", 0.5, 3, 0.01, 0, 0.2, 0.25, 0, Ablation.PRE_CE, MaskSettings.reference(), 0, 7, 2);
        assertThat(MethodSpec.parse(stop.toFullText())).isEqualTo(stop);
        MethodSpec eot = ACE.withFilterSamples(4);
        assertThat(MethodSpec.parse(eot.toFullText())).isEqualTo(eot);
        assertThat(eot.attackSettings().filterSamples()).isEqualTo(4);
        assertThat(eot.attackKey()).isNotEqualTo(ACE.attackKey());
        assertThat(ACE.toText()).doesNotContain("filter-samples"); // the reference's 1 is not written
    }

    @Test
    void theClassLossIsPartOfTheAttackAndReadsBack() {
        MethodSpec margin = new MethodSpec("ACE-l1", "pgd", 0, 50, 4.0 / 255, 0.001, 0, null, 0.2, Ablation.ACE,
                new MaskSettings(5, 0.15), 4, 0, 8, 2, ClassLoss.margin(10));
        assertThat(MethodSpec.parse(margin.toFullText())).isEqualTo(margin);
        assertThat(margin.toText()).contains("loss=margin:10\n");
        MethodSpec ce = new MethodSpec("ACE-l1", "pgd", 0, 50, 4.0 / 255, 0.001, 0, null, 0.2, Ablation.ACE,
                new MaskSettings(5, 0.15), 4, 0, 8, 2);
        assertThat(margin.attackKey()).contains("loss=margin:10").isNotEqualTo(ce.attackKey());
        assertThat(((GradientAttack) margin.attackAlgorithm()).classLoss()).isEqualTo(ClassLoss.margin(10));
        assertThat(margin.with("FR-CE", Ablation.FR_CE, 0).classLoss()).isEqualTo(ClassLoss.margin(10));
        // cross-entropy, the reference's, is not written: runs recorded before the loss existed read back unchanged
        assertThat(ACE.toText()).doesNotContain("loss=");
        assertThat(MethodSpec.parse(ACE.toFullText()).classLoss()).isEqualTo(new ClassLoss.CrossEntropy());
        assertThatThrownBy(() -> MethodSpec.parse(margin.toFullText().replace("margin:10", "margin")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("margin:KAPPA");
    }

    @Test
    void keysSeparateTheAttackFromTheRefinement() {
        MethodSpec fr = ACE.with("FR-CE", Ablation.FR_CE, 0);
        assertThat(fr.attackKey()).isEqualTo(ACE.attackKey());
        assertThat(fr.refinementKey()).isNotEqualTo(ACE.refinementKey());
        assertThat(ACE.withLambdas("l", 0.01, 0).attackKey()).isNotEqualTo(ACE.attackKey());
        assertThat(ACE.attackStage("Pre-CE").refinement()).isEqualTo(Ablation.PRE_CE);
        // the batch size changes memory, not results: not part of the recorded settings
        MethodSpec other = new MethodSpec("ACE-l1", "pgd", 0, 50, 4.0 / 255, 0.001, 0, null, 0.1, Ablation.ACE,
                new MaskSettings(5, 0.15), 4, 0, 16);
        assertThat(other.toText()).isEqualTo(ACE.toText());
        assertThat(other.attackKey()).isEqualTo(ACE.attackKey());
    }

    @Test
    void badSpecificationsAreNamed() {
        assertThatThrownBy(() -> MethodSpec.parse("name=x\n")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("missing 'mask'");
        assertThatThrownBy(() -> MethodSpec.parse(ACE.toFullText().replace("step=", "step=x")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("bad value");
        org.assertj.core.api.Assertions.assertThatCode(() -> ACE.with("F-CE", Ablation.F_CE, 0).withLambdas("p", 0, 0)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new MethodSpec("p", "pgd", 0, 50, 0.01, 0, 0, null, 0, Ablation.ACE,
                MaskSettings.reference(), 0, 0, 8)).hasMessageContaining("needs the diffusion filter");
        assertThatThrownBy(() -> new MethodSpec("p", "sgd", 0, 50, 0.01, 0, 0, null, 0, Ablation.PRE_CE,
                MaskSettings.reference(), 0, 0, 8)).hasMessageContaining("pgd, gd, cw or fgsm");
    }
}
