package org.acejvm.examples.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;
import org.acejvm.core.result.ImageData;
import org.acejvm.core.result.Scores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ReportWriterTest {
    @TempDir Path dir;

    private static final List<String> NAMES = List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7");

    /** Two synthetic explanations of 1x16x16 images: a brightening ramp added in the middle, one success, one failure. */
    private static List<Explanation> explanations(Map<Long, INDArray> originals) {
        return explanations(originals, false, 1);
    }

    /**
     * The same; {@code refined}: the pre-explanation differs from the explanation (a refinement ran);
     * {@code secondGain} scales the second image's change.
     */
    private static List<Explanation> explanations(Map<Long, INDArray> originals, boolean refined, double secondGain) {
        List<Explanation> list = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 16, 16).mul(0.5);
            INDArray cf = x.dup();
            cf.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 12),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 12))
                    .addi(Nd4j.linspace(0.05, 0.45, 8, DataType.FLOAT).reshape(1, 1, 8).mul(i == 1 ? secondGain : 1)); // heat from red to white
            INDArray pre = refined ? cf.add(0.02) : cf;
            INDArray mask = Nd4j.zeros(DataType.FLOAT, 1, 16, 16);
            mask.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 13),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 13)).assign(1);
            originals.put((long) i, x);
            list.add(new Explanation(i, 0, "ACE", 1, 7, ImageData.of(pre), ImageData.of(cf), ImageData.of(mask), null,
                    new Scores(1, 0.9, 0.01), new Scores(7, 0.1, 0.8), new Scores(i == 0 ? 7 : 1, 0.2, i == 0 ? 0.7 : 0.3),
                    true, i == 0, 50, 1_000_000L));
        }
        return list;
    }

    @Test
    void writesHtmlGridRowsAndJson() throws Exception {
        Map<Long, INDArray> originals = new java.util.HashMap<>();
        List<Explanation> list = explanations(originals);
        ReportWriter writer = new ReportWriter(dir, "test report", NAMES);
        Path html = writer.setting("attack", "PGD").section("ACE", list, originals).write(Duration.ofSeconds(75));
        String text = Files.readString(html);
        assertThat(text).contains("Flip rate <b>50.0%</b> (1 of 2)").contains("1 min 15 s").contains("7 c7")
                .contains("images/section0-sample1-v0.png").contains("<td>attack</td><td>PGD</td>")
                // the 8x8 ramp: 64 of 256 pixels; the 26 largest (3 columns of 8 and 2 of the next) carry
                // (0.45 + 0.3929 + 0.3357) * 8 + 0.2786 * 2 = 9.986 of 8 * 8 * 0.25 = 16, i.e. 62.4%
                .contains("Where it changed: 25.0% of the pixels changed by more than 1/255; the 10% most-changed "
                        + "pixels carry 62.4% of the change");
        BufferedImage grid = ImageIO.read(dir.resolve("grid.png").toFile());
        // the labelled grid as laid out: an unrefined section has 3 columns, 16 px images at 7x
        LabelledGrid.Layout lay = new ExplanationGrids(NAMES).section(new ReportWriter.Section("ACE", list, originals)).layout();
        assertThat(grid.getWidth()).isEqualTo(lay.width());
        assertThat(grid.getHeight()).isEqualTo(lay.height());
        assertThat(lay.cellWidth()).isEqualTo(16 * 7);
        assertThat(grid.getWidth()).isGreaterThan(lay.cellX(2) + lay.cellWidth());
        // kept in target/ to look at
        Files.createDirectories(Path.of("target"));
        Files.copy(dir.resolve("grid.png"), Path.of("target", "report-grid.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(lay.footerTop() + LabelledGrid.MARGIN).isLessThan(grid.getHeight());
        assertThat(dir.resolve("images/section0-sample0-v0.png")).exists();
        List<Explanation> back = ExplanationJson.read(dir.resolve("results.json"));
        assertThat(back).hasSize(2);
        assertThat(back.get(0).explanation()).isEqualTo(list.get(0).explanation());
    }

    /**
     * The report renders in headless Chromium with its images loaded: the screenshot must show the heat map's
     * colours, which only the loaded PNGs contain. Chromium is installed by .ci/run; elsewhere the test is skipped.
     */
    @Test
    void rendersInHeadlessChromiumWithImagesLoaded() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assumeTrue(Files.isExecutable(chromium) || System.getenv("CI") != null, "chromium not installed");
        Map<Long, INDArray> originals = new java.util.HashMap<>();
        Path html = new ReportWriter(dir, "render test", List.of("a", "b", "c", "d", "e", "f", "g", "h"))
                .section("ACE", explanations(originals), originals).write(Duration.ofSeconds(3));
        Path shot = dir.resolve("shot.png");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + dir.resolve("profile"), "--hide-scrollbars",
                "--window-size=1000,900", "--screenshot=" + shot, html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(shot).as(Files.exists(dir.resolve("chromium.log")) ? Files.readString(dir.resolve("chromium.log")) : "").exists();
        Files.createDirectories(Path.of("target"));
        Files.copy(shot, Path.of("target", "report-screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage img = ImageIO.read(shot.toFile());
        int heat = 0, dark = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y), r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
                if (r > 150 && b < 80 && r - b > 100) heat++;   // red-to-yellow heat map pixels
                if (r < 60 && g < 60 && b < 60) dark++;         // dark image pixels
            }
        }
        assertThat(heat).as("heat map pixels in the screenshot").isGreaterThan(200);
        assertThat(dark).as("dark image pixels in the screenshot").isGreaterThan(200);
    }

    @Test
    void maskAndPreExplanationColumnsOnlyForRefinedSections() throws Exception {
        Map<Long, INDArray> originals = new java.util.HashMap<>();
        ReportWriter.Section refined = new ReportWriter.Section("ACE", explanations(originals, true, 1), originals);
        ReportWriter.Section plain = new ReportWriter.Section("PGD", explanations(originals, false, 1), originals);
        assertThat(refined.refined()).isTrue();
        assertThat(plain.refined()).isFalse();
        ExplanationGrids grids = new ExplanationGrids(NAMES);
        assertThat(grids.section(refined).columns()).isEqualTo(ReportWriter.COLUMNS).contains("mask");
        assertThat(grids.section(plain).columns()).isEqualTo(ReportWriter.UNREFINED_COLUMNS).doesNotContain("mask");
        assertThat(grids.section(plain).render().getWidth()).isLessThan(grids.section(refined).render().getWidth());
        // the per-row PNG of the table has the same columns: 3 cells of 16 px at scale 3 with 2 px padding
        new ReportWriter(dir, "t", NAMES).section("PGD", plain.explanations(), originals).write(Duration.ofSeconds(1));
        assertThat(readPng(dir.resolve("images/section0-sample0-v0.png")).getWidth()).isEqualTo(3 * (48 + 2) + 2);
    }

    @Test
    void differenceMapsShareTheLargestChangeOfTheSection() {
        Map<Long, INDArray> originals = new java.util.HashMap<>();
        List<Explanation> list = explanations(originals, true, 0.5);
        ReportWriter.Section sec = new ReportWriter.Section("ACE", list, originals);
        // the ramp's largest step is 0.45 in row 0 and 0.225 in row 1: the scale is the maximum over rows
        assertThat(ExplanationGrids.scale(sec).max()).isCloseTo(0.45, org.assertj.core.api.Assertions.within(1e-5));
        LabelledGrid.Layout lay = new ExplanationGrids(NAMES).section(sec).layout();
        BufferedImage img = new ExplanationGrids(NAMES).section(sec).render();
        // row 0's largest change is white; row 1's, half as large, is drawn on row 0's scale and stays red-yellow
        assertThat(brightest(img, lay, 0)).isEqualTo(0xffffff);
        int second = brightest(img, lay, 1);
        assertThat(second & 0xff).as("blue of row 1's hottest pixel").isLessThan(40);
        assertThat((second >> 16) & 0xff).as("red of row 1's hottest pixel").isEqualTo(255);
    }

    @Test
    void rowLabelsNameTheClassesAndTheProbabilities() {
        Map<Long, INDArray> originals = new java.util.HashMap<>();
        List<Explanation> list = explanations(originals, true, 1);
        LabelledGrid grid = new ExplanationGrids(List.of("c0", "Sneaker")).section(
                new ReportWriter.Section("ACE", list, originals));
        assertThat(grid.labels(0)).containsExactly("#0  flipped", "Sneaker -> class 7", "p(class 7) 0.01 -> 0.70");
        assertThat(grid.labels(1)).containsExactly("#1  not flipped", "Sneaker -> class 7", "p(class 7) 0.01 -> 0.30");
    }

    @Test
    void comparisonStripShowsBothMethodsOnOneScale() throws Exception {
        Map<Long, INDArray> originals = new java.util.HashMap<>();
        List<Explanation> ace = explanations(originals, true, 1);
        List<Explanation> pgd = new ArrayList<>();
        for (Explanation e : ace) {   // the same images, changed twice as much
            INDArray x = originals.get(e.sampleId());
            INDArray cf = e.explanation().toINDArray().sub(x).mul(2).add(x);
            pgd.add(new Explanation(e.sampleId(), 0, "plain-PGD", 1, 7, ImageData.of(cf), ImageData.of(cf), e.mask(), null,
                    e.before(), e.afterAttack(), e.after(), true, true, 50, 1L));
        }
        ReportWriter writer = new ReportWriter(dir, "t", NAMES).section("ACE", ace, originals)
                .compare("ace_vs_pgd.png", "ACE vs plain PGD", "ACE", ace, "plain PGD", pgd, originals);
        String html = Files.readString(writer.write(Duration.ofSeconds(1)));
        assertThat(html).contains("<img class=\"grid\" src=\"ace_vs_pgd.png\"");
        LabelledGrid strip = new ExplanationGrids(NAMES).comparison(new ReportWriter.Comparison("ace_vs_pgd.png", "ACE vs plain PGD", "ACE",
                ace, "plain PGD", pgd, originals));
        assertThat(strip.columns()).containsExactly("input", "ACE", "ACE difference", "plain PGD", "plain PGD difference");
        assertThat(strip.rowCount()).isEqualTo(2);
        BufferedImage img = readPng(dir.resolve("ace_vs_pgd.png"));
        Files.copy(dir.resolve("ace_vs_pgd.png"), Path.of("target", "report-ace-vs-pgd.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(img.getWidth()).isEqualTo(strip.layout().width());
        // one scale: plain PGD's doubled change is white, ACE's, half of it, is not
        LabelledGrid.Layout lay = strip.layout();
        assertThat(hottest(img, lay, 0, 4)).isEqualTo(0xffffff);
        assertThat(hottest(img, lay, 0, 2)).isNotEqualTo(0xffffff);
    }

    private static BufferedImage readPng(Path file) throws java.io.IOException {
        return ImageIO.read(file.toFile());
    }

    /** The brightest pixel (by r + g + b) of the difference column (the last one) of a row. */
    private static int brightest(BufferedImage img, LabelledGrid.Layout lay, int row) {
        return hottest(img, lay, row, 4);
    }

    private static int hottest(BufferedImage img, LabelledGrid.Layout lay, int row, int column) {
        int best = 0, bestSum = -1;
        for (int y = lay.cellY(row); y < lay.cellY(row) + lay.cellHeight(); y++) {
            for (int x = lay.cellX(column); x < lay.cellX(column) + lay.cellWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff, sum = (rgb >> 16) + ((rgb >> 8) & 0xff) + (rgb & 0xff);
                if (sum > bestSum) {
                    bestSum = sum;
                    best = rgb;
                }
            }
        }
        return best;
    }
}
