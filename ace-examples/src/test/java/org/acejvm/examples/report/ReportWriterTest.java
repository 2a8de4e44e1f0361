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

    /** Two synthetic explanations of 1x16x16 images: a brightening ramp added in the middle, one success, one failure. */
    private static List<Explanation> explanations(Map<Long, INDArray> originals) {
        List<Explanation> list = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 16, 16).mul(0.5);
            INDArray cf = x.dup();
            cf.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 12),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 12))
                    .addi(Nd4j.linspace(0.05, 0.45, 8, DataType.FLOAT).reshape(1, 1, 8)); // a ramp: heat from red to white
            INDArray mask = Nd4j.zeros(DataType.FLOAT, 1, 16, 16);
            mask.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 13),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 13)).assign(1);
            originals.put((long) i, x);
            list.add(new Explanation(i, 0, "ACE", 1, 7, ImageData.of(cf), ImageData.of(cf), ImageData.of(mask), null,
                    new Scores(1, 0.9, 0.01), new Scores(7, 0.1, 0.8), new Scores(i == 0 ? 7 : 1, 0.2, i == 0 ? 0.7 : 0.3),
                    true, i == 0, 50, 1_000_000L));
        }
        return list;
    }

    @Test
    void writesHtmlGridRowsAndJson() throws Exception {
        Map<Long, INDArray> originals = new java.util.HashMap<>();
        List<Explanation> list = explanations(originals);
        Path html = new ReportWriter(dir, "test report", List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"))
                .setting("attack", "PGD").section("ACE", list, originals).write(Duration.ofSeconds(75));
        String text = Files.readString(html);
        assertThat(text).contains("Flip rate <b>50.0%</b> (1 of 2)").contains("1 min 15 s").contains("7 c7")
                .contains("images/section0-sample1-v0.png").contains("<td>attack</td><td>PGD</td>")
                // the 8x8 ramp: 64 of 256 pixels; the 26 largest (3 columns of 8 and 2 of the next) carry
                // (0.45 + 0.3929 + 0.3357) * 8 + 0.2786 * 2 = 9.986 of 8 * 8 * 0.25 = 16, i.e. 62.4%
                .contains("Where it changed: 25.0% of the pixels changed by more than 1/255; the 10% most-changed "
                        + "pixels carry 62.4% of the change");
        BufferedImage grid = ImageIO.read(dir.resolve("grid.png").toFile());
        // 5 columns of 16 px at scale 2 with 2 px padding; 2 rows
        assertThat(grid.getWidth()).isEqualTo(5 * (32 + 2) + 2);
        assertThat(grid.getHeight()).isEqualTo(2 * (32 + 2) + 2);
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
}
