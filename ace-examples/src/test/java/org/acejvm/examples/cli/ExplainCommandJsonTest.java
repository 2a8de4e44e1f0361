package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.acejvm.core.io.Images;
import org.acejvm.examples.RunnerUp;
import org.acejvm.examples.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@code ace explain} for scripts: a quoted pattern as --image, a class name as --target, JSON on stdout. */
class ExplainCommandJsonTest {
    @TempDir Path tmp;

    /** Runs ace explain with {@code args} on one Fashion-MNIST test image (an ankle boot); its JSON output. */
    private JsonNode explain(String... args) throws Exception {
        Images.write(FashionMnist.load(FashionMnist.Split.TEST, 1).images().get(NDArrayIndex.point(0)), tmp.resolve("boot.png"));
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of("explain", "--image",
                    tmp.resolve("*.png").toString(), "--steps", "1", "--quiet", "--json", "--out", tmp.resolve("out").toString()),
                    java.util.Arrays.stream(args)).toArray(String[]::new);
            code = AceCommand.execute(all);
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jsonResultsNameTheFileAndTheClasses() throws Exception {
        JsonNode root = explain("--target", "sneaker");
        JsonNode image = root.get("images").get(0);
        assertThat(image.get("file").asText()).endsWith("boot.png");
        assertThat(image.get("sourceName").asText()).isEqualTo("Ankle boot");
        assertThat(image.get("target").asInt()).isEqualTo(7);
        assertThat(image.get("targetName").asText()).isEqualTo("Sneaker");
        assertThat(image.get("pTargetAfter").asDouble()).isBetween(0.0, 1.0);
        assertThat(image.get("maskArea").asDouble()).isBetween(0.0, 1.0);
        assertThat(root.get("report").asText()).endsWith("report.html");
    }

    /** --target runner-up aims each image at its second most probable class (the embedded classifier's for this boot). */
    @Test
    void runnerUpTargetIsTheSecondMostProbableClass() throws Exception {
        org.acejvm.core.SameDiffClassifier classifier = org.acejvm.examples.EmbeddedDefault.classifier();
        org.nd4j.linalg.api.ndarray.INDArray boot = FashionMnist.load(FashionMnist.Split.TEST, 1).images();
        int expected = RunnerUp.of(classifier.probabilities(boot))[0];
        JsonNode image = explain("--target", "runner-up").get("images").get(0);
        assertThat(image.get("target").asInt()).isEqualTo(expected).isNotEqualTo(image.get("source").asInt());
    }

    /** A classifier of another family (torchvision's MobileNetV2, 1-channel stem, random weights) with the embedded diffusion model. */
    @Test
    void explainsWithAMobileNetV2Classifier() throws Exception {
        Path model = tmp.resolve("mobilenet_v2.onnx");
        try (java.io.InputStream in = getClass().getResourceAsStream("/onnx/mobilenet_v2_gray32/model.onnx")) {
            java.nio.file.Files.copy(in, model);
        }
        JsonNode image = explain("--classifier", model.toString(), "--target", "3").get("images").get(0);
        assertThat(image.get("targetName").asText()).isEqualTo("class 3");
        assertThat(image.get("pTargetAfter").asDouble()).isBetween(0.0, 1.0);
        assertThat(image.get("meanAbsChange").asDouble()).isPositive();
    }
}
