package org.acejvm.spark;

import java.io.Serializable;
import java.util.Arrays;
import org.acejvm.attacks.Targets;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;

/**
 * The target class of each image of a cluster run, as plain data that ships to the executors: one class for all, a
 * table from the predicted class to the target, or untargeted. An input row's own {@code target} column, when the
 * input has one, takes precedence.
 */
public final class TargetRule implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int constant;     // >= 0: every image to this class
    private final int[] table;      // non-null: table[predicted]
    private final String name;

    private TargetRule(int constant, int[] table, String name) {
        this.constant = constant;
        this.table = table;
        this.name = name;
    }

    /** Away from the predicted class. */
    public static TargetRule untargeted() { return new TargetRule(-1, null, "untargeted"); }

    /** Every image toward class {@code target}. */
    public static TargetRule of(int target) {
        if (target < 0) throw new InvalidInputException.Range("target: expected a class index >= 0, got " + target);
        return new TargetRule(target, null, "class " + target);
    }

    /** Each image toward {@code sourceToTarget[predicted class]}. */
    public static TargetRule table(int[] sourceToTarget) {
        Checks.notNull(sourceToTarget, "sourceToTarget");
        for (int t : sourceToTarget) {
            if (t < 0) throw new InvalidInputException.Range("target table: expected class indices >= 0, got " + Arrays.toString(sourceToTarget));
        }
        return new TargetRule(-1, sourceToTarget.clone(), "table " + Arrays.toString(sourceToTarget));
    }

    /** The library's targets for a batch of images. */
    public Targets targets() {
        if (table != null) {
            int[] t = table;
            return Targets.from(c -> {
                if (c < 0 || c >= t.length) {
                    throw new InvalidInputException.Range("target table " + Arrays.toString(t) + " has no entry for predicted class " + c);
                }
                return t[c];
            }, name);
        }
        return constant >= 0 ? Targets.of(constant) : Targets.untargeted();
    }

    /** Stable text: recorded with a run's results so that a resumed run refuses other targets. */
    @Override public String toString() { return name; }
}
