package org.acejvm.core.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ExplanationJsonTest {
    private static Explanation sample(ImageData noisy) {
        float[] v = new float[12];
        for (int i = 0; i < 12; i++) v[i] = i / 12f;
        ImageData img = ImageData.of(Nd4j.create(v, new long[] {3, 2, 2}, DataType.FLOAT));
        ImageData mask = new ImageData(new long[] {1, 2, 2}, new float[] {0, 1, 1, 0});
        return new Explanation(7, 1, "ACE", 2, 5, img, img, mask, noisy, new Scores(2, 0.9, 0.05),
                new Scores(5, 0.1, 0.8), new Scores(5, 0.2, 0.7), true, true, 50, 123456);
    }

    @Test
    void roundTripsThroughJsonWithImagesAsShapeAndData() {
        Explanation e = sample(null);
        String json = ExplanationJson.toJson(e);
        assertThat(json).contains("\"mask\":{\"shape\":[1,2,2],\"data\":[0.0,1.0,1.0,0.0]}");
        assertThat(ExplanationJson.fromJson(json)).isEqualTo(e);
        List<Explanation> list = List.of(e, sample(e.explanation()));
        assertThat(ExplanationJson.listFromJson(ExplanationJson.toJson(list))).isEqualTo(list);
        assertThat(e.explanation().toINDArray().shape()).containsExactly(3, 2, 2);
    }

    @Test
    void recordsAreImmutableAndChecked() {
        float[] data = {1, 2};
        ImageData d = new ImageData(new long[] {2}, data);
        data[0] = 9;
        d.data()[1] = 9;
        assertThat(d.data()).containsExactly(1, 2);
        assertThatThrownBy(() -> new ImageData(new long[] {3}, new float[2])).isInstanceOf(InvalidInputException.Shape.class);
        assertThatThrownBy(() -> ExplanationJson.fromJson("{\"sampleId\": ")).isInstanceOf(ModelFormatException.class);
    }

    @Test
    void jsonLinesSkipBlankLinesAndALineCutShort(@TempDir Path dir) throws Exception {
        Explanation a = sample(null);
        Explanation b = sample(a.explanation());
        String cut = ExplanationJson.toJson(b).substring(0, 40);
        Path file = dir.resolve("results.jsonl");
        Files.writeString(file, ExplanationJson.toJson(a) + "\n\n" + ExplanationJson.toJson(b) + "\n" + cut);
        assertThat(ExplanationJson.readLines(file)).containsExactly(a, b);
    }
}
