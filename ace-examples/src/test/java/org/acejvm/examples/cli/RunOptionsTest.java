package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    private static RunOptions parse(String... args) {
        Cmd c = new Cmd();
        new CommandLine(c).parseArgs(args);
        return c.run;
    }

    @Test void theCommandsDefaultsApplyWhenNotGiven() {
        RunOptions r = parse();
        r.useDefaults(0.25, 16, 4);
        assertThat(r.stepSize).isEqualTo(0.25);
        assertThat(r.batchSize).isEqualTo(16);
        assertThat(r.settings(0.001, 0).step()).isEqualTo(0.25);
        assertThat(r.inpaintSteps).isEqualTo(4);
        RunOptions own = parse();
        own.useDefaults(0.25, 16, null); // your own models: the filter's S
        assertThat(own.inpaintSteps).isNull();
    }

    @Test void givenValuesWin() {
        RunOptions r = parse("--step-size", "0.5", "--batch-size", "3", "--inpaint-steps", "5");
        r.useDefaults(0.25, 16, 4);
        assertThat(r.stepSize).isEqualTo(0.5);
        assertThat(r.batchSize).isEqualTo(3);
        assertThat(r.inpaintSteps).isEqualTo(5);
    }

    @Test void badValuesAreNamed() {
        assertThatThrownBy(() -> parse("--batch-size", "0").useDefaults(0.25, 16, 4)).hasMessageContaining("--batch-size");
        assertThatThrownBy(() -> parse("--step-size", "-1").useDefaults(0.25, 16, 4)).hasMessageContaining("--step-size");
        assertThatThrownBy(() -> parse("--steps", "0").useDefaults(0.25, 16, 4)).hasMessageContaining("--steps");
        assertThatThrownBy(() -> parse("--inpaint-steps", "0").useDefaults(0.25, 16, 4)).hasMessageContaining("--inpaint-steps");
    }

    @Test void settingsNeedTheDefaultsResolvedFirst() {
        assertThatThrownBy(() -> parse().settings(0.001, 0)).isInstanceOf(IllegalStateException.class);
    }
}
