package org.acejvm.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.acejvm.attacks.LatentAttacks;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.io.Images;
import org.acejvm.examples.EmbeddedLatent;
import org.acejvm.examples.evaluate.LatentEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ace latent-demo}: the latent-space methods side by side on the embedded latent default (MNIST digits, the
 * digit classifier, the conditional VAE with a Morpho-MNIST attribute block): for each test digit, aimed at the class
 * the classifier finds second most probable, AIP, xGEMs, the Counterfactual Attack (and AIP_R) search the code (z, a);
 * a table of flip rate, LPR, the measured attribute changes and time per query, and a grid of the digits
 * ({@link LatentEvaluation}, which {@code ace evaluate --generator mnist-cvae} shows too).
 */
@Command(name = "latent-demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Latent-space counterfactuals (AIP, xGEMs, Counterfactual Attack, AIP_R) of MNIST test digits "
                + "with the embedded digit classifier and conditional VAE; writes <out>/table.md, <out>/grid.png and "
                + "<out>/global_importance.png.")
public final class LatentDemoCommand implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "20", description = "Test digits (round robin over the classes; default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--methods", split = ",", defaultValue = LatentMethods.DEFAULT,
            description = "Any of aip, xgems, latent-attack, aip-r and fgsm (pixel space, the baseline of LPR) (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--fgsm-epsilon", defaultValue = "" + LatentEvaluation.DEFAULT_FGSM_EPSILON, description = "FGSM's step in pixels (default: ${DEFAULT-VALUE}).")
    double fgsmEpsilon;

    @Option(names = "--iterations", defaultValue = "500", description = "Most iterations per digit (the papers' 500; default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--alpha", description = "AIP's (and xGEMs's, AIP_R's) weight of the l2 distance to the start code "
            + "(default: 3, chosen for the embedded generator (see EmbeddedLatent.AIP); the paper's is 1.5).")
    Double alpha;

    @Option(names = "--mu", description = "AIP's step of z (default: the paper's 2).")
    Double mu;

    @Option(names = "--gamma", description = "AIP's step of the attribute block (default: the paper's 3).")
    Double gamma;

    @Option(names = "--lpr-tolerance", defaultValue = "" + LatentEvaluation.DEFAULT_LPR_TOLERANCE,
            description = "Change of a standardised code value above which LPR counts it as changed (default: ${DEFAULT-VALUE}).")
    double lprTolerance;

    @Option(names = "--skip", defaultValue = "0", description = "Leave out the first test digits, e.g. to choose "
            + "settings on other digits than those a table reports (default: ${DEFAULT-VALUE}).")
    int skip;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of AIP_R's random directions (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--grid-rows", defaultValue = "10", description = "Digits shown in grid.png (default: ${DEFAULT-VALUE}).")
    int gridRows;

    @Option(names = "--probe-digits", defaultValue = "" + LatentEvaluation.DEFAULT_PROBE_DIGITS,
            description = "Training digits whose codes and measurements fit the attribute probes (default: ${DEFAULT-VALUE}; 0: no probes).")
    int probeDigits;

    @Option(names = "--probe-labels", defaultValue = "original",
            description = "What the probes learn to predict from a training digit's code: 'original', the digit's own "
                    + "measurements (as the paper's labelled set), or 'decoded', those of the decoded code (what the "
                    + "generator shows) (default: ${DEFAULT-VALUE}).")
    String probeLabels;

    @Option(names = "--out", defaultValue = "out/latent", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (count < 1) throw new InvalidInputException.Range("--count: expected at least 1, got " + count);
        if (iterations < 1) throw new InvalidInputException.Range("--iterations: expected at least 1, got " + iterations);
        LatentMethods.check(methods);
        boolean decoded = switch (probeLabels.toLowerCase(Locale.ROOT)) {
            case "decoded" -> true;
            case "original" -> false;
            default -> throw new InvalidInputException("--probe-labels: expected decoded or original, got '" + probeLabels + "'");
        };
        Files.createDirectories(out);
        EmbeddedLatent latent = EmbeddedLatent.load();
        LatentEvaluation.Settings settings = new LatentEvaluation.Settings(count, skip, aipSettings(), fgsmEpsilon, lprTolerance,
                seed, probeDigits, decoded);
        LatentEvaluation evaluation = LatentEvaluation.run(latent, settings,
                space -> LatentMethods.of(methods, space, latent.attributeNames().size(), settings), quiet);
        String table = evaluation.markdown();
        evaluation.writeGlobalImportance(out.resolve("global_importance.png"));
        Files.writeString(out.resolve("table.md"), table);
        Images.writePng(evaluation.grid(gridRows).render(), out.resolve("grid.png"));
        System.out.print(table);
        System.out.println("grid: " + out.resolve("grid.png"));
        return 0;
    }

    /** AIP's settings: the embedded generator's, with --alpha, --mu, --gamma and --iterations where given. */
    private LatentAttacks.AipSettings aipSettings() {
        LatentAttacks.AipSettings p = EmbeddedLatent.AIP;
        return new LatentAttacks.AipSettings(alpha != null ? alpha : p.alpha(), p.beta(), iterations,
                mu != null ? mu : p.mu(), gamma != null ? gamma : p.gamma());
    }
}
