package org.acejvm.examples.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.acejvm.metrics.Cout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class EvaluationPlotsTest {
    @TempDir Path dir;

    /** A PNG file that decodes, has a sensible size and is not blank (several colours, many non-white pixels). */
    public static void assertNonBlankPng(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        BufferedImage img = ImageIO.read(file.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isGreaterThan(200);
        assertThat(img.getHeight()).isGreaterThan(200);
        Set<Integer> colours = new HashSet<>();
        long nonWhite = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) nonWhite++;
            }
        }
        assertThat(colours.size()).as("distinct colours").isGreaterThan(10);
        assertThat(nonWhite).as("non-white pixels").isGreaterThan(1000);
    }

    private static Cout.Curve curve(double shift) {
        int k = 51;
        double[] x = new double[k], t = new double[k], s = new double[k];
        for (int i = 0; i < k; i++) {
            x[i] = i / (k - 1.0);
            t[i] = Math.min(1, x[i] + shift);
            s[i] = 1 - t[i];
        }
        return new Cout.Curve(x, t, s, Cout.auc(x, t) - Cout.auc(x, s));
    }

    @Test void coutCurvesPng() throws Exception {
        Map<String, Cout.Curve> curves = new LinkedHashMap<>();
        curves.put("ACE-l1", curve(0.2));
        curves.put("plain-PGD", curve(0.0));
        curves.put("nothing", null);
        Path f = EvaluationPlots.coutCurves(curves, "2 images", dir.resolve("cout.png"));
        assertThat(f).isEqualTo(dir.resolve("cout.png"));
        assertNonBlankPng(f);
    }

    @Test void flipRateVsLambdaPng() throws Exception {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("explanations", new double[] {1.0, 0.75, 0.25});
        series.put("pre-explanations", new double[] {1.0, 1.0, 0.5});
        Path f = EvaluationPlots.flipRateVsLambda(new double[] {1e-4, 1e-3, 1e-2}, series, null, dir.resolve("sub/fr.png"));
        assertNonBlankPng(f);
    }

    @Test void badInputsAreRejected() {
        Map<String, Cout.Curve> none = new LinkedHashMap<>();
        none.put("x", null);
        assertThatThrownBy(() -> EvaluationPlots.coutCurves(none, null, dir.resolve("a.png")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no COUT curve");
        assertThatThrownBy(() -> EvaluationPlots.flipRateVsLambda(new double[] {0.0}, Map.of("a", new double[] {1}), null,
                dir.resolve("b.png"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("> 0");
    }
}
