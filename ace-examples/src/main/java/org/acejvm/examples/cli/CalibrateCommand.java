package org.acejvm.examples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.acejvm.attacks.Targets;
import org.acejvm.core.Backends;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.RunnerUp;
import org.acejvm.examples.report.ReportWriter;
import org.acejvm.refine.calibrate.Calibration;
import org.acejvm.refine.calibrate.CalibrationPlan;
import org.acejvm.refine.calibrate.CalibrationReport;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ace calibrate}: ACE's settings for the user's own models ({@link Calibration}), measured on held-out images
 * (Fashion-MNIST test images, or a folder of PNGs); writes the chosen method for {@code ace explain --settings} and
 * a report of every measurement.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Choose the filter depth, mask dilation, distance weight, step, inpainting start and mask threshold for your models on held-out images; "
                + "writes <out>/calibration.txt (for 'ace explain --settings') and <out>/calibration.md.")
public final class CalibrateCommand implements Callable<Integer> {
    static final String SETTINGS_FILE = "calibration.txt";
    static final String REPORT_FILE = "calibration.md";

    @Mixin ModelOptions models;

    @Option(names = "--images", description = "A folder of held-out PNG images of the classifier's size (default: "
            + "correctly classified Fashion-MNIST test images, each aimed at the class it is most easily confused with).")
    Path imageDir;

    @Option(names = "--grayscale", description = "Convert colour --images to grey for a 1-channel classifier instead of failing.")
    boolean grayscale;

    @Option(names = "--count", defaultValue = "64", description = "Held-out images for the filter depth (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--fractions", split = ",", description = "Candidate filter depths (default: 0.05,0.1,...,0.4).")
    double[] fractions;

    @Option(names = "--agreement", defaultValue = "0.95",
            description = "Share of images whose class the filter alone must keep (default: ${DEFAULT-VALUE}).")
    double agreement;

    @Option(names = "--lambdas", split = ",", description = "Candidate l1 distance weights (default: 1,0.1,0.01,0.001,0).")
    double[] lambdas;

    @Option(names = "--thresholds", split = ",", description = "Candidate mask thresholds (default: 0.15,0.25,0.35,0.5; "
            + "0.15 is the reference's).")
    double[] thresholds;

    @Option(names = "--max-mask-area", description = "Largest mean mask area, as a share of the image, that the "
            + "threshold choice prefers: among the thresholds within it the most flips, then the lower threshold; "
            + "when none is within it, the smallest mask with at most one flip fewer than the most (default: 0.35).")
    Double maxMaskArea;

    @Option(names = "--grid-steps", split = ",", description = "Candidate PGD steps in 1/255 units (default: 1,2,4).")
    double[] gridSteps;

    @Option(names = "--grid-images", defaultValue = "8", description = "Images per grid point (default: ${DEFAULT-VALUE}).")
    int gridImages;

    @Option(names = "--grid-iterations", defaultValue = "20", description = "Attack iterations per grid point (default: ${DEFAULT-VALUE}).")
    int gridIterations;

    @Option(names = "--iterations", defaultValue = "50", description = "Attack iterations of the written method (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of all noise and of the image choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "8", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--out", defaultValue = "out", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1, got " + count);
        RunOptions.checkOutputFolder(out);
        Backends.logOnce();
        SameDiffClassifier classifier = models.classifier();
        DiffusionModel diffusion = models.diffusion(classifier.inputSpec());
        INDArray images;
        Targets targets;
        if (imageDir == null) {
            images = DemoCommand.select(classifier, count, seed).images();
            targets = DemoCommand.CONFUSABLE;
        } else {
            images = ImageFiles.read(pngs(imageDir, count), classifier.inputSpec(), false, grayscale, "--images");
            targets = Targets.classes(RunnerUp.of(classifier.probabilities(images)));
        }
        CalibrationReport report = Calibration.run(classifier, diffusion, images, targets, plan(), System.err::println);
        Path settings = write(report, out);
        System.out.print(report.toText());
        String schedule = models.diffusionFile == null ? ""
                : "; same --timesteps " + models.timesteps() + " --respacing " + models.respacing();
        System.out.printf("settings: %s (use: ace explain --settings %s ...%s); "
                        + "report: %s, %s%n", settings, settings, schedule,
                out.resolve(REPORT_FILE), ReportWriter.formatDuration(Duration.ofNanos(System.nanoTime() - start)));
        return 0;
    }

    private CalibrationPlan plan() {
        CalibrationPlan.Builder b = CalibrationPlan.builder().agreement(agreement).gridImages(gridImages)
                .gridIterations(gridIterations).iterations(iterations).seed(seed).batchSize(batchSize);
        if (fractions != null) b.fractions(fractions);
        if (lambdas != null) b.lambdas(lambdas);
        if (thresholds != null) b.maskThresholds(thresholds);
        if (maxMaskArea != null) b.maxMaskArea(maxMaskArea);
        if (gridSteps != null) {
            double[] s = gridSteps.clone();
            for (int i = 0; i < s.length; i++) s[i] /= 255;
            b.steps(s);
        }
        return b.build();
    }

    /** Writes the method ({@link #SETTINGS_FILE}) and the report ({@link #REPORT_FILE}) into {@code dir}; returns the method's file. */
    static Path write(CalibrationReport report, Path dir) {
        try {
            Files.createDirectories(dir);
            Path settings = dir.resolve(SETTINGS_FILE);
            Files.writeString(settings, report.spec().toFullText());
            Files.writeString(dir.resolve(REPORT_FILE), report.toText());
            return settings;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code count} PNG files of {@code dir}, by name. */
    private static List<Path> pngs(Path dir, int count) throws IOException {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--images: not a folder: " + dir);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png"))
                    .sorted().limit(count).toList();
        }
    }
}
