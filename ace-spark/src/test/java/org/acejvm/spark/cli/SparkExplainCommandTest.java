package org.acejvm.spark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ace spark-explain} end to end in local[1] on 2 embedded-default images (1 attack iteration), then resumed. */
class SparkExplainCommandTest {
    @TempDir Path tmp;

    private String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new SparkExplainCommand()).execute(args)).isZero();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void explainsEvaluatesAndResumes() {
        String[] args = {"--master", "local[1]", "--fashion-mnist", "2", "--iterations", "1", "--batch-size", "2",
            "--out", tmp.resolve("out").toString(), "--evaluate"};
        String first = run(args);
        assertThat(first).contains("ACE-l1: 2 images, 0 resumed").contains("2 explained in 1 waves").contains("flip rate");
        String second = run(args);
        assertThat(second).contains("2 resumed").contains("0 explained in 0 waves");
    }
}
