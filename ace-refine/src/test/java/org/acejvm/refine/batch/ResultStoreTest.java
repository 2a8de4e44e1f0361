package org.acejvm.refine.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;
import org.acejvm.core.result.ImageData;
import org.acejvm.core.result.Scores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultStoreTest {
    @TempDir Path dir;

    static Explanation explanation(long id, float value) {
        ImageData img = new ImageData(new long[] {1, 2, 2}, new float[] {value, value, value, value});
        ImageData mask = new ImageData(new long[] {1, 2, 2}, new float[] {1, 0, 0, 1});
        Scores s = new Scores(1, 0.25, 0.75);
        return new Explanation(id, 0, "ACE", 0, 1, img, img, mask, null, s, s, s, true, true, 3, 1000 + id);
    }

    @Test
    void appendsAndResumes() {
        ResultStore s = ResultStore.open(dir, "a=1\n", ResultStore.Mode.NEW);
        s.append(List.of(explanation(4, 0.5f), explanation(2, 0.25f)));
        ResultStore again = ResultStore.open(dir, "a=1\n", ResultStore.Mode.RESUME);
        assertThat(again.get(4)).isEqualTo(explanation(4, 0.5f));
        assertThat(again.get(2)).isEqualTo(explanation(2, 0.25f));
        assertThat(again.get(3)).isNull();
        assertThat(again.all()).hasSize(2);
    }

    /** A crash in the middle of a line: the torn line is cut off before the next append, every line parses. */
    @Test
    void aTornLastLineIsTruncatedBeforeAppending() throws Exception {
        ResultStore.open(dir, "a=1\n", ResultStore.Mode.NEW).append(List.of(explanation(1, 0.5f)));
        Path file = dir.resolve(ResultStore.RESULTS);
        String whole = ExplanationJson.toJson(explanation(2, 0.5f));
        Files.writeString(file, whole.substring(0, whole.length() / 2), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        ResultStore resumed = ResultStore.open(dir, "a=1\n", ResultStore.Mode.RESUME);
        assertThat(resumed.get(2)).isNull();
        assertThat(resumed.get(1)).isEqualTo(explanation(1, 0.5f));
        resumed.append(List.of(explanation(2, 0.5f)));
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(2);
        for (String l : lines) ExplanationJson.fromJson(l); // every line parses
        assertThat(ResultStore.open(dir, "a=1\n", ResultStore.Mode.RESUME).all()).hasSize(2);
    }

    /** A crash while writing the settings leaves the old file whole (only the temporary file is torn). */
    @Test
    void tornSettingsNeverReplaceTheRecordedOnes() throws Exception {
        ResultStore.open(dir, "a=1\n", ResultStore.Mode.NEW).append(List.of(explanation(1, 0.5f)));
        Files.writeString(dir.resolve(ResultStore.SETTINGS + ".tmp"), "a=", StandardCharsets.UTF_8);
        assertThat(Files.readString(dir.resolve(ResultStore.SETTINGS))).isEqualTo("a=1\n");
        ResultStore resumed = ResultStore.open(dir, "a=1\n", ResultStore.Mode.RESUME);
        assertThat(resumed.get(1)).isNotNull();
        assertThat(dir.resolve(ResultStore.SETTINGS + ".tmp")).doesNotExist();
    }

    @Test
    void resultsAreNeverDeletedWithoutTheExplicitMode() throws Exception {
        ResultStore.open(dir, "a=1\n", ResultStore.Mode.NEW).append(List.of(explanation(1, 0.5f)));
        assertThatThrownBy(() -> ResultStore.open(dir, "a=1\n", ResultStore.Mode.NEW))
                .isInstanceOf(ResultStore.ConflictException.class).hasMessageContaining("earlier run");
        assertThatThrownBy(() -> ResultStore.open(dir, "a=2\n", ResultStore.Mode.RESUME))
                .isInstanceOf(ResultStore.ConflictException.class).hasMessageContaining("other settings");
        assertThat(ResultStore.open(dir, "a=1\n", ResultStore.Mode.RESUME).get(1)).isNotNull();
        ResultStore aside = ResultStore.open(dir, "a=2\n", ResultStore.Mode.RESUME_OR_SET_ASIDE);
        assertThat(aside.setAside()).isEqualTo("results.jsonl.1.old");
        assertThat(aside.all()).isEmpty();
        assertThat(Files.readAllLines(dir.resolve("results.jsonl.1.old"))).hasSize(1);
        aside.append(List.of(explanation(1, 0.5f)));
        assertThat(ResultStore.open(dir, "a=2\n", ResultStore.Mode.OVERWRITE).all()).isEmpty();
    }

    /** A setting recorded by older runs that does not change these results: mapped away, the results are kept. */
    @Test
    void recordedSettingsAreComparedInTheirCanonicalForm() throws Exception {
        ResultStore.open(dir, "a=1\nmask=5,0.15\nb=2\n", ResultStore.Mode.NEW).append(List.of(explanation(1, 0.5f)));
        assertThatThrownBy(() -> ResultStore.open(dir, "a=1\nb=2\n", ResultStore.Mode.RESUME))
                .isInstanceOf(ResultStore.ConflictException.class).hasMessageContaining("other settings");
        ResultStore kept = ResultStore.open(dir, "a=1\nb=2\n", ResultStore.Mode.RESUME, MethodSpec::withoutMask);
        assertThat(kept.get(1)).isNotNull();
        assertThat(Files.readString(dir.resolve(ResultStore.SETTINGS))).isEqualTo("a=1\nb=2\n");
        // the canonical form does not hide a setting that does change the results
        assertThatThrownBy(() -> ResultStore.open(dir, "a=2\nb=2\n", ResultStore.Mode.RESUME, MethodSpec::withoutMask))
                .isInstanceOf(ResultStore.ConflictException.class);
    }

    @Test
    void linksAreRefused() throws Exception {
        Path target = Files.createTempFile("elsewhere", ".jsonl");
        Files.createSymbolicLink(dir.resolve(ResultStore.RESULTS), target);
        assertThatThrownBy(() -> ResultStore.open(dir, "a=1\n", ResultStore.Mode.RESUME))
                .hasMessageContaining("not links");
        Files.delete(target);
    }
}
