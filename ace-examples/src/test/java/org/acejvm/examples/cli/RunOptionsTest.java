package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.acejvm.attacks.ClassLoss;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** A command's own defaults apply only where the user gave no value; the user's value always wins. */
class RunOptionsTest {
    @Command(name = "t")
    static final class Cmd {
        @Mixin RunOptions run;
    }

    private static final ClassLoss MARGIN = ClassLoss.margin(10);
    private static final ClassLoss CE = new ClassLoss.CrossEntropy();

    private static RunOptions parse(String... args) {
        Cmd c = new Cmd();
        new CommandLine(c).parseArgs(args);
        return c.run;
    }

    @Test void theCommandsDefaultsApplyWhenNotGiven() {
        RunOptions r = parse();
        r.useDefaults(0.25, 16, 4, 2, MARGIN, 100);
        assertThat(r.stepSize).isEqualTo(0.25);
        assertThat(r.batchSize).isEqualTo(16);
        assertThat(r.settings(0.001, 0).step()).isEqualTo(0.25);
        assertThat(r.inpaintSteps).isEqualTo(4);
        assertThat(r.filterSamples).isEqualTo(2);
        assertThat(r.settings(0.001, 0).filterSamples()).isEqualTo(2);
        assertThat(r.classLoss).isEqualTo(MARGIN);
        assertThat(r.steps).isEqualTo(100);
        assertThat(r.settings(0.001, 0).iterations()).isEqualTo(100);
        RunOptions own = parse();
        own.useDefaults(0.25, 16, null, 1, CE, 50); // your own models: the filter's S, one filter draw
        assertThat(own.inpaintSteps).isNull();
        assertThat(own.settings(0.001, 0).filterSamples()).isEqualTo(1);
        assertThat(own.classLoss).isEqualTo(CE);
        assertThat(own.steps).isEqualTo(50);
    }

    @Test void givenValuesWin() {
        RunOptions r = parse("--step-size", "0.5", "--batch-size", "3", "--inpaint-steps", "5", "--filter-samples", "1",
                "--loss", "ce", "--steps", "7");
        r.useDefaults(0.25, 16, 4, 2, MARGIN, 100);
        assertThat(r.classLoss).isEqualTo(CE);
        assertThat(r.steps).isEqualTo(7);
        RunOptions m = parse("--loss", "margin:2.5");
        m.useDefaults(0.25, 16, 4, 2, CE, 50);
        assertThat(m.classLoss).isEqualTo(ClassLoss.margin(2.5));
        assertThat(r.filterSamples).isEqualTo(1);
        assertThat(r.stepSize).isEqualTo(0.5);
        assertThat(r.batchSize).isEqualTo(3);
        assertThat(r.inpaintSteps).isEqualTo(5);
    }

    @Test void badValuesAreNamed() {
        assertThatThrownBy(() -> parse("--batch-size", "0").useDefaults(0.25, 16, 4, 2, MARGIN, 100)).hasMessageContaining("--batch-size");
        assertThatThrownBy(() -> parse("--step-size", "-1").useDefaults(0.25, 16, 4, 2, MARGIN, 100)).hasMessageContaining("--step-size");
        assertThatThrownBy(() -> parse("--steps", "0").useDefaults(0.25, 16, 4, 2, MARGIN, 100)).hasMessageContaining("--steps");
        assertThatThrownBy(() -> parse("--inpaint-steps", "0").useDefaults(0.25, 16, 4, 2, MARGIN, 100)).hasMessageContaining("--inpaint-steps");
        assertThatThrownBy(() -> parse("--filter-samples", "0").useDefaults(0.25, 16, 4, 2, MARGIN, 100)).hasMessageContaining("--filter-samples");
        assertThatThrownBy(() -> parse("--loss", "hinge").useDefaults(0.25, 16, 4, 2, MARGIN, 100))
                .hasMessageContaining("--loss").hasMessageContaining("margin:KAPPA").hasMessageContaining("'hinge'");
    }

    @Test void settingsNeedTheDefaultsResolvedFirst() {
        assertThatThrownBy(() -> parse().settings(0.001, 0)).isInstanceOf(IllegalStateException.class);
    }
}
