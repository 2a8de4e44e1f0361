package org.acejvm.examples.cli;

import java.nio.file.Path;
import org.acejvm.attacks.Attack;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.DistanceSchedule;
import org.acejvm.attacks.StopRule;
import picocli.CommandLine.Option;

/** Options shared by the commands that run explanations. */
final class RunOptions {
    enum AttackKind { pgd, gd, cw, fgsm }
    enum Distance { l1, l2 }

    @Option(names = "--seed", defaultValue = "0", description = "Seed of all noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--steps", defaultValue = "50", description = "Attack iterations (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--attack", defaultValue = "pgd", description = "pgd, gd, cw or fgsm (default: ${DEFAULT-VALUE}).")
    AttackKind attack;

    @Option(names = "--distance", defaultValue = "l1", description = "Proximity term: l1 or l2 (default: ${DEFAULT-VALUE}).")
    Distance distance;

    @Option(names = "--lambda", defaultValue = "0.001", description = "Weight of the distance term (default: ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--step-size", defaultValue = "0.00392156862745098", description = "Attack step (default: 1/255).")
    double stepSize;

    @Option(names = "--kappa", defaultValue = "0", description = "C&W confidence (default: ${DEFAULT-VALUE}).")
    double kappa;

    @Option(names = "--stop-margin", description = "Stop each image's attack once the target's probability exceeds every "
            + "other class's by this margin, in [0, 1) (default: no early stop, all --steps iterations as the reference).")
    Double stopMargin;

    @Option(names = "--batch-size", defaultValue = "8",
            description = "Images per attack batch (default: ${DEFAULT-VALUE}; about 6 GB peak memory at 8 with the embedded models).")
    int batchSize;

    @Option(names = "--out", defaultValue = "out", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    AttackSettings settings() {
        return AttackSettings.builder()
                .iterations(steps)
                .step(stepSize)
                .lambda1(distance == Distance.l1 ? lambda : 0)
                .lambda2(distance == Distance.l2 ? lambda : 0)
                .schedule(DistanceSchedule.NONE)
                .stopRule(stopMargin == null ? StopRule.never() : StopRule.targetReached(stopMargin))
                .build();
    }

    /** The attack settings in words, for reports. */
    String describeAttack() {
        return attack + ", " + steps + " iterations, step " + stepSize + ", " + distance + " distance weight " + lambda
                + (stopMargin == null ? ", no early stop (as the reference)"
                        : ", each image stops once its target leads every other class by " + stopMargin);
    }

    Attack attack() {
        if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        return switch (attack) {
            case pgd -> Attacks.pgd(settings());
            case gd -> Attacks.gd(settings());
            case cw -> Attacks.cw(kappa, settings());
            case fgsm -> Attacks.fgsm(stepSize * steps);
        };
    }
}
