package org.acejvm.examples.cli;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.LatentSpace;
import org.acejvm.core.InvalidInputException;
import org.acejvm.examples.evaluate.LatentEvaluation;

/**
 * The --methods names of {@code latent-demo} and {@code evaluate --generator}: the latent methods of
 * {@link LatentExplain#METHODS} and FGSM, their pixel-space baseline of LPR.
 */
final class LatentMethods {
    static final String DEFAULT = "aip,xgems,latent-attack,aip-r,fgsm";
    static final List<String> NAMES = List.of(DEFAULT.split(","));

    private LatentMethods() {}

    /** Refuses an unknown name before any model is loaded. */
    static void check(List<String> methods) {
        for (String m : methods) {
            if (NAMES.stream().noneMatch(m::equalsIgnoreCase)) {
                throw new InvalidInputException("--methods: unknown method '" + m + "' (expected aip, xgems, latent-attack, aip-r or fgsm)");
            }
        }
    }

    /** The attacks of {@code methods} with the settings' AIP settings, FGSM step and AIP_R seed. */
    static List<LatentEvaluation.Method> of(List<String> methods, LatentSpace space, int attributes, LatentEvaluation.Settings s) {
        check(methods);
        List<LatentEvaluation.Method> out = new ArrayList<>();
        for (String m : methods) {
            out.add(m.equalsIgnoreCase("fgsm") ? new LatentEvaluation.Method(Attacks.fgsm(s.fgsmEpsilon()), false)
                    : new LatentEvaluation.Method(LatentExplain.attack(m, space, attributes, s.aip(), s.seed()), true));
        }
        return out;
    }
}
