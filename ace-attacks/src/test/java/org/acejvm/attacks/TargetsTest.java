package org.acejvm.attacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class TargetsTest {

    /** Runs record their targets by toString to resume only with the same ones: a named function must print its name. */
    @Test
    void aNamedFunctionPrintsItsNameThroughEveryDerivedTargets() {
        Targets t = Targets.from(c -> (c + 1) % 3, "next class");
        assertThat(t.toString()).isEqualTo("Targets.from(next class)");
        assertThat(t.allowingSource().toString()).isEqualTo("Targets.from(next class).allowingSource()");
        assertThat(t.rows(new int[] {2, 0}).toString()).isEqualTo("Targets.from(next class)");
        assertThat(t.resolve(new int[] {0, 2}, 3)).containsExactly(1, 0);
    }

    @Test
    void rowsPickPerImageTargetsInOrder() {
        Targets t = Targets.classes(4, 5, 6);
        assertThat(t.rows(new int[] {2, 0}).resolve(new int[] {0, 0}, 7)).containsExactly(6, 4);
        assertThatThrownBy(() -> t.rows(new int[] {3})).isInstanceOf(InvalidInputException.Shape.class)
                .hasMessageContaining("outside 3");
    }
}
