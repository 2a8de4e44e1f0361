package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.io.Images;
import org.acejvm.examples.EmbeddedLatent;
import org.acejvm.examples.data.MnistDigits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@code ace explain --generator}: the latent-space methods on image files, with the embedded MNIST models or ONNX files. */
class ExplainGeneratorTest {
    @TempDir Path tmp;

    @BeforeAll
    static void digits() {
        System.setProperty(MnistDigits.DIR_PROPERTY, Path.of("..").resolve(MnistDigits.DEFAULT_DIR).toString());
    }

    /** The first {@code n} test digits as PNG files in tmp/digits. */
    private Path writeDigits(int n) {
        MnistDigits d = MnistDigits.load(MnistDigits.Split.TEST, n);
        Path dir = tmp.resolve("digits");
        for (int i = 0; i < n; i++) {
            Images.write(d.images().get(NDArrayIndex.point(i)), dir.resolve(String.format("digit%d_label%d.png", i, d.labels()[i])));
        }
        return dir;
    }

    private JsonNode explain(String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = AceCommand.execute(Stream.concat(Stream.of("explain", "--quiet", "--json", "--out", tmp.resolve("out").toString()),
                    Stream.of(args)).toArray(String[]::new));
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aipFlipsDigitsWithTheEmbeddedGeneratorAndWritesTheReport() throws Exception {
        Path dir = writeDigits(4);
        JsonNode root = explain("--generator", "mnist-cvae", "--image", dir.toString(), "--target", "runner-up",
                "--max-iterations", "200");
        JsonNode images = root.get("images");
        assertThat(images).hasSize(4);
        int flipped = 0;
        for (JsonNode image : images) {
            assertThat(image.get("target").asInt()).isNotEqualTo(image.get("source").asInt());
            assertThat(image.get("sourceName").asText()).matches("\\d");
            assertThat(image.get("iterations").asInt()).isBetween(1, 200);
            if (image.get("success").asBoolean()) {
                flipped++;
                assertThat(image.get("pTargetAfter").asDouble()).isGreaterThan(image.get("pTargetBefore").asDouble());
            }
            // the embedded code's attribute block is measured again on the counterfactual
            assertThat(image.get("attributeChange").fieldNames()).toIterable()
                    .containsExactlyElementsOf(EmbeddedLatent.load().attributeNames());
            // and attributed by the probes (their predicted change from the start code to the counterfactual's)
            assertThat(image.get("probeScore").fieldNames()).toIterable().contains("area", "slant");
        }
        assertThat(flipped).isGreaterThanOrEqualTo(3);
        assertThat(tmp.resolve("out/grid.png")).exists();
        assertThat(Files.readString(tmp.resolve("out/report.html"))).contains("AIP counterfactuals", "grid.png", "largest measured attribute changes", "largest probe scores");
        assertThat(Files.readString(tmp.resolve("out/results.md"))).contains("| image | class -> target |");
    }

    /** ONNX files whose encoder's codes do not fit the decoder: a one-line error naming both shapes. */
    @Test
    void anEncoderWhoseCodesTheDecoderCannotReadIsRefused() throws Exception {
        Path dir = writeDigits(2);
        Path dec = tmp.resolve("decoder.onnx"), enc = tmp.resolve("encoder.onnx"), cls = tmp.resolve("classifier.onnx");
        copy(EmbeddedLatent.DECODER_RESOURCE, dec);
        copy(EmbeddedLatent.CLASSIFIER_RESOURCE, cls);
        // the embedded encoder gives z only; the decoder needs (z, a): a user's file pair must agree, so this one is refused
        copy(EmbeddedLatent.ENCODER_RESOURCE, enc);
        assertThatThrownBy(() -> run("--generator", dec.toString(), "--encoder", enc.toString(),
                "--classifier", cls.toString(), "--image", dir.toString(), "--target", "7", "--out", tmp.resolve("o2").toString()))
                .isInstanceOf(InvalidInputException.Mismatch.class)
                .hasMessageContaining("--encoder gives codes of shape [2, 16]").hasMessageContaining("[2, 22]");
    }

    @Test
    void badCombinationsAreOneLineErrors() throws Exception {
        Path dir = writeDigits(1);
        assertThatThrownBy(() -> run("--generator", tmp.resolve("missing.onnx").toString(),
                "--image", dir.toString(), "--target", "1"))
                .isInstanceOf(org.acejvm.core.ModelFormatException.class).hasMessageContaining("--generator: file not found");
        assertThatThrownBy(() -> run("--generator", "mnist-cvae", "--latent-method", "gan",
                "--image", dir.toString(), "--target", "1", "--out", tmp.resolve("o3").toString()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("expected one of aip, xgems, latent-attack, aip-r");
        assertThatThrownBy(() -> run("--generator", "mnist-cvae", "--attribute-size", "3",
                "--image", dir.toString(), "--target", "1", "--out", tmp.resolve("o4").toString()))
                .isInstanceOf(InvalidInputException.Mismatch.class).hasMessageContaining("has 6 values");
        // a Fashion-MNIST classifier (32 px) cannot read the digits decoder's 28 px images
        Path dec = tmp.resolve("decoder.onnx"), enc = tmp.resolve("encoder.onnx");
        copy(EmbeddedLatent.DECODER_RESOURCE, dec);
        copy(EmbeddedLatent.ENCODER_RESOURCE, enc);
        Path boot = tmp.resolve("boot");
        Images.write(org.acejvm.examples.data.FashionMnist.load(org.acejvm.examples.data.FashionMnist.Split.TEST, 1).images()
                .get(NDArrayIndex.point(0)), boot.resolve("boot.png"));
        assertThatThrownBy(() -> run("--generator", dec.toString(), "--encoder", enc.toString(),
                "--image", boot.toString(), "--target", "1", "--out", tmp.resolve("o5").toString()))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("not an image the classifier accepts");
    }

    /** Runs ace explain with {@code args} in this thread, so that its exception reaches the test. */
    private static void run(String... args) {
        ExplainCommand command = new ExplainCommand();
        new picocli.CommandLine(command).parseArgs(args);
        command.call();
    }

    private static void copy(String resource, Path to) throws Exception {
        try (var in = ExplainGeneratorTest.class.getResourceAsStream(resource)) {
            Files.copy(in, to);
        }
    }
}
