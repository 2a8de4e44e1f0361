package org.acejvm.examples.cli;

import org.acejvm.attacks.Attack;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
import picocli.CommandLine.Option;

/** {@link RunOptions} plus the choice of attack and distance, for the commands that run one explainer (demo, explain). */
final class AttackOptions extends RunOptions {
    enum AttackKind { pgd, gd, cw, fgsm }
    enum Distance { l1, l2 }

    @Option(names = "--attack", defaultValue = "pgd", description = "pgd, gd, cw or fgsm (default: ${DEFAULT-VALUE}).")
    AttackKind attack;

    @Option(names = "--distance", defaultValue = "l1", description = "Proximity term: l1 or l2 (default: ${DEFAULT-VALUE}).")
    Distance distance;

    @Option(names = "--kappa", defaultValue = "0", description = "C&W confidence (default: ${DEFAULT-VALUE}).")
    double kappa;

    AttackSettings settings() {
        return settings(distance == Distance.l1 ? lambda : 0, distance == Distance.l2 ? lambda : 0);
    }

    /** The attack settings in words, for reports. */
    String describeAttack() {
        return attack + (attack == AttackKind.pgd || attack == AttackKind.gd ? " (" + classLoss.key() + " loss)" : "")
                + ", " + steps + " iterations, step " + stepSize + ", " + distance + " distance weight " + lambda
                + (stopMargin == null ? ", no early stop (as the reference)"
                        : ", each image stops once its target leads every other class by " + stopMargin);
    }

    Attack attack() {
        if (lossOption != null && (attack == AttackKind.cw || attack == AttackKind.fgsm)) {
            throw new IllegalArgumentException("--loss applies to --attack pgd and gd; cw uses its hinge (--kappa) and "
                    + "fgsm cross-entropy");
        }
        return switch (attack) {
            case pgd -> Attacks.pgd(settings(), classLoss);
            case gd -> Attacks.gd(settings(), classLoss);
            case cw -> Attacks.cw(kappa, settings());
            case fgsm -> Attacks.fgsm(stepSize * steps);
        };
    }
}
