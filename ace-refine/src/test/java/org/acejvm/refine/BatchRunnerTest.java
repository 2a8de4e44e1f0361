package org.acejvm.refine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Targets;
import org.acejvm.attacks.TinyNets;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.refine.batch.BatchRunner;
import org.acejvm.refine.batch.ResultStore;
import org.acejvm.refine.batch.RunProgress;
import org.acejvm.refine.batch.StoredRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The batch runner over a result store: interrupted runs resume to exactly the uninterrupted result. */
class BatchRunnerTest {
    private static final SameDiffClassifier LINEAR3 = TinyNets.linear(3, 31);
    @TempDir Path dir;

    private static Explainer.Builder ace() {
        return Explainer.builder(LINEAR3).diffusion(ToyDiffusion.model(), ToyDiffusion.FRACTION)
                .mask(new MaskSettings(3, 0.15)).attackSettings(AttackSettings.builder().iterations(3).step(4.0 / 255).build())
                .seed(5).batchSize(2);
    }

    @Test
    void aRunCutAfterAnyBatchResumesToTheSameResults() throws Exception {
        INDArray x = TinyNets.images(5, 13, 0.1, 0.9);
        long[] ids = {10, 11, 12, 13, 14};
        Targets targets = Targets.classes(0, 1, 2, 0, 1).allowingSource();
        List<Long> advanced = new ArrayList<>();
        RunProgress p = new RunProgress() {
            @Override public void advanced(long done) { advanced.add(done); }
        };
        StoredRun whole = BatchRunner.explain("ACE", ace().build(), x, ids, targets,
                BatchRunner.Sink.of(ResultStore.open(dir.resolve("a"), "s\n", ResultStore.Mode.NEW)), p);
        assertThat(advanced).containsExactly(2L, 4L, 5L);
        assertThat(whole.explanations()).extracting(Explanation::sampleId).containsExactly(10L, 11L, 12L, 13L, 14L);

        // keep the first batch and half a line of the second, as a kill in the middle of a write leaves them
        Path b = dir.resolve("b");
        Files.createDirectories(b);
        List<String> lines = Files.readAllLines(dir.resolve("a").resolve(ResultStore.RESULTS), StandardCharsets.UTF_8);
        Files.writeString(b.resolve(ResultStore.RESULTS), lines.get(0) + "\n" + lines.get(1) + "\n"
                + lines.get(2).substring(0, lines.get(2).length() / 3), StandardCharsets.UTF_8);
        Files.writeString(b.resolve(ResultStore.SETTINGS), "s\n", StandardCharsets.UTF_8);
        List<Integer> todo = new ArrayList<>();
        RunProgress q = new RunProgress() {
            @Override public void started(String label, int n, int resumed) { todo.add(n); todo.add(resumed); }
        };
        StoredRun resumed = BatchRunner.explain("ACE", ace().build(), x, ids, targets,
                BatchRunner.Sink.of(ResultStore.open(b, "s\n", ResultStore.Mode.RESUME)), q);
        assertThat(todo).containsExactly(3, 2);
        for (int i = 0; i < ids.length; i++) {
            Explanation e = resumed.explanations().get(i);
            Explanation w = whole.explanations().get(i);
            assertThat(e.explanation()).isEqualTo(w.explanation());
            assertThat(e.preExplanation()).isEqualTo(w.preExplanation());
            assertThat(e.mask()).isEqualTo(w.mask());
            assertThat(e.target()).isEqualTo(w.target());
            assertThat(e.after()).isEqualTo(w.after());
        }
        assertThat(Files.readAllLines(b.resolve(ResultStore.RESULTS))).hasSize(5);
    }

    @Test
    void refinementOfStoredPreExplanationsResumesToo() {
        INDArray x = TinyNets.images(3, 17, 0.1, 0.9);
        long[] ids = {0, 1, 2};
        Targets t = Targets.untargeted();
        StoredRun pre = BatchRunner.explain("attack", ace().ablation(Ablation.PRE_CE).build(), x, ids, t,
                BatchRunner.Sink.of(ResultStore.open(dir.resolve("pre"), "p\n", ResultStore.Mode.NEW)), null);
        StoredRun refined = BatchRunner.refine("ACE", ace().build(), x, pre.explanations(),
                BatchRunner.Sink.of(ResultStore.open(dir.resolve("ace"), "r\n", ResultStore.Mode.NEW)), null);
        List<Explanation> direct = ace().build().explain(x, t, ids);
        for (int i = 0; i < 3; i++) assertThat(refined.explanations().get(i).explanation()).isEqualTo(direct.get(i).explanation());
        // everything stored: nothing is computed again, the same explanations come back
        StoredRun again = BatchRunner.refine("ACE", ace().build(), x, pre.explanations(),
                BatchRunner.Sink.of(ResultStore.open(dir.resolve("ace"), "r\n", ResultStore.Mode.RESUME)), null);
        assertThat(again.explanations()).isEqualTo(refined.explanations());
    }
}
