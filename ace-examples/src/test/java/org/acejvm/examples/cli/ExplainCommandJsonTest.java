package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.acejvm.core.io.Images;
import org.acejvm.examples.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@code ace explain} for scripts: a quoted pattern as --image, a class name as --target, JSON on stdout. */
class ExplainCommandJsonTest {
    @TempDir Path tmp;

    @Test
    void jsonResultsNameTheFileAndTheClasses() throws Exception {
        Images.write(FashionMnist.load(FashionMnist.Split.TEST, 1).images().get(NDArrayIndex.point(0)), tmp.resolve("boot.png"));
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = AceCommand.execute("explain", "--image", tmp.resolve("*.png").toString(), "--target", "sneaker",
                    "--steps", "1", "--quiet", "--json", "--out", tmp.resolve("out").toString());
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        JsonNode root = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        JsonNode image = root.get("images").get(0);
        assertThat(image.get("file").asText()).endsWith("boot.png");
        assertThat(image.get("sourceName").asText()).isEqualTo("Ankle boot");
        assertThat(image.get("target").asInt()).isEqualTo(7);
        assertThat(image.get("targetName").asText()).isEqualTo("Sneaker");
        assertThat(image.get("pTargetAfter").asDouble()).isBetween(0.0, 1.0);
        assertThat(root.get("report").asText()).endsWith("report.html");
    }
}
