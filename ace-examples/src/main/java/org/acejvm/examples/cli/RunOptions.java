package org.acejvm.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.ClassLoss;
import org.acejvm.core.InvalidInputException;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.refine.AcePreset;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.batch.MethodSpec;
import picocli.CommandLine.Option;

/** Options shared by the commands that run explanations (evaluate fixes the attack and distance per method). */
class RunOptions {

    @Option(names = "--seed", defaultValue = "0", description = "Seed of all noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--steps", description = "Attack iterations per image (default: 100 with the embedded models and "
            + "their --fraction, where the margin loss holds the target's lead while the l1 weight prunes the change; "
            + "50, the reference's, otherwise).")
    Integer stepsOption;

    /** The attack iterations in use: --steps, or the command's default set by {@link #useDefaults}. */
    int steps = AttackSettings.REFERENCE_ITERATIONS;

    @Option(names = "--lambda", defaultValue = "0.001", description = "Weight of the distance term (the l1 distance's in evaluate; default: ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--step-size", description = "How far each attack iteration moves a pixel (default: 4/255 with the "
            + "embedded models, which need larger changes than 50 steps of 1/255 allow; 1/255, the reference's, with your "
            + "own models).")
    Double stepSizeOption;

    /** The attack step in use: --step-size, or the command's default set by {@link #useDefaults}. */
    double stepSize = AttackSettings.REFERENCE_STEP;

    /** The --batch-size of the commands that do not choose their own (demo: {@code DemoCommand.DEMO_BATCH}). */
    static final int DEFAULT_BATCH = 8;

    @Option(names = "--filter-samples", description = "Noise draws of the diffusion filter whose attack gradients each "
            + "iteration averages (default: 2 with the embedded models and their --fraction, which makes the change read "
            + "as the target more often; otherwise 1, the reference; k draws cost up to k times as much).")
    Integer filterSamplesOption;

    /** The filter draws per iteration in use: --filter-samples, or the command's default set by {@link #useDefaults}. */
    int filterSamples = 1;

    @Option(names = "--loss", description = "The attack's class loss (pgd and gd): ce (cross-entropy, the reference's), "
            + "margin:KAPPA (raise the target's logit until it leads every other by KAPPA), logit (the target's logit "
            + "alone) or probability (default: " + EmbeddedDefault.CLASS_LOSS_KEY + " with the embedded models and their "
            + "--fraction, which makes the change read as the target far more often; otherwise ce).")
    String lossOption;

    /** The class loss in use: --loss, or the command's default set by {@link #useDefaults}. */
    ClassLoss classLoss = new ClassLoss.CrossEntropy();

    @Option(names = "--stop-margin", description = "Stop each image's attack once the target's probability exceeds every "
            + "other class's by this margin, in [0, 1) (default: no early stop, all --steps iterations as the reference).")
    Double stopMargin;

    @Option(names = "--batch-size",
            description = "Images per attack batch (default: 8; peak memory with the embedded models and their "
                    + "filter of S = 10 steps about 2.8 GB at 8).")
    Integer batchSizeOption;

    /** The batch size in use: --batch-size, or the command's default set by {@link #useDefaults}. */
    int batchSize = DEFAULT_BATCH;

    @Option(names = "--inpaint-steps", description = "How many (respaced) diffusion steps the final inpainting runs, "
            + "not to be confused with --steps, the attack's iterations (default: 4 with the embedded models and their "
            + "--fraction, which keeps more flips than the filter's S; otherwise the filter's S = int(fraction x respaced "
            + "steps), as the reference).")
    Integer inpaintStepsOption;

    /** The inpainting start in use: --inpaint-steps, or the command's default; null: the filter's S. */
    Integer inpaintSteps;

    private boolean resolved;

    @Option(names = "--quiet", description = "No progress bars (results and errors are still printed).")
    boolean quiet;

    /** The progress display of these options for batches of {@code batch} images: none with --quiet. */
    org.acejvm.refine.batch.RunProgress progress(int batch) {
        return quiet ? org.acejvm.refine.batch.RunProgress.none() : new ConsoleRunProgress(System.err, batch);
    }

    @Option(names = "--out", defaultValue = "out", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    /** The attack settings of these options with distance weights {@code lambda1} and {@code lambda2}. */
    AttackSettings settings(double lambda1, double lambda2) {
        if (!resolved) throw new IllegalStateException("call useDefaults before building attack settings");
        return MethodSpec.settingsOf(steps, stepSize, lambda1, lambda2, stopMargin, filterSamples);
    }

    /**
     * Resolves the options whose default depends on the command: where --step-size, --batch-size, --inpaint-steps,
     * --filter-samples, --loss and --steps are not given, {@code preset}'s step, {@code batch}, the preset's inpainting
     * start (null: the filter's S), filter draws, class loss and iterations apply; then checks the options shared by
     * every command. Every command calls this (or the form below) before it builds an attack.
     */
    void useDefaults(AcePreset preset, int batch) {
        useDefaults(preset.step(), batch, preset.inpaintingStart(), preset.filterSamples(), preset.classLoss(),
                preset.iterations());
    }

    /** {@link #useDefaults(AcePreset, int)} with each default given on its own (explain mixes two presets' values). */
    void useDefaults(double step, int batch, Integer inpaint, int draws, ClassLoss loss, int iterations) {
        steps = stepsOption != null ? stepsOption : iterations;
        try {
            classLoss = lossOption != null ? ClassLoss.parse(lossOption) : loss;
        } catch (InvalidInputException e) {
            throw new IllegalArgumentException("--loss: " + e.getMessage());
        }
        stepSize = stepSizeOption != null ? stepSizeOption : step;
        filterSamples = filterSamplesOption != null ? filterSamplesOption : draws;
        batchSize = batchSizeOption != null ? batchSizeOption : batch;
        inpaintSteps = inpaintStepsOption != null ? inpaintStepsOption : inpaint;
        if (inpaintSteps != null && inpaintSteps < 1) {
            throw new IllegalArgumentException("--inpaint-steps must be at least 1, got " + inpaintSteps);
        }
        checkOutputFolder(out);
        if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        if (filterSamples < 1) throw new IllegalArgumentException("--filter-samples must be at least 1, got " + filterSamples);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        if (!(stepSize > 0) || Double.isInfinite(stepSize)) {
            throw new IllegalArgumentException("--step-size must be a positive number, got " + stepSize);
        }
        resolved = true;
    }

    /**
     * Refuses an --out that cannot be a folder (a file such as /etc/passwd, or a path through one) or is not
     * writable, before any work: otherwise the run failed at its first write, as an unexpected error.
     */
    static void checkOutputFolder(Path out) {
        for (Path p = out.toAbsolutePath(); p != null; p = p.getParent()) {
            if (!Files.exists(p)) continue;
            if (!Files.isDirectory(p)) {
                throw new InvalidInputException("--out " + out + ": " + (p.equals(out.toAbsolutePath()) ? "is" : p + " is")
                        + " a file, not a folder");
            }
            if (!Files.isWritable(p)) throw new InvalidInputException("--out " + out + ": cannot write into " + p);
            return;
        }
    }

    /** Sets the resolved inpainting start on an explainer whose diffusion model is set (nothing if it is the filter's). */
    Explainer.Builder inpainting(Explainer.Builder b) {
        if (!resolved) throw new IllegalStateException("call useDefaults before configuring the inpainting");
        return inpaintSteps == null ? b : b.inpaintingSteps(inpaintSteps);
    }
}
