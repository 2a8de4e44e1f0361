package org.acejvm.examples.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.acejvm.attacks.AttackIteration;
import org.acejvm.attacks.Targets;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;
import org.acejvm.refine.ExplainListener;
import org.acejvm.refine.Explainer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs an explainer with a console progress bar, appending every finished explanation to {@code results.jsonl}
 * as soon as its batch is done, so an interrupted run keeps what it finished.
 */
final class ExplanationRun {
    private ExplanationRun() {}

    static List<Explanation> run(String label, Explainer explainer, INDArray images, Targets targets, long[] ids, Path out) {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out, e);
        }
        Path partial = out.resolve("results.jsonl");
        System.err.println(label + ": " + images.size(0) + " images");
        ConsoleProgress bar = new ConsoleProgress(System.err, "images", images.size(0));
        try (BufferedWriter w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            long[] done = {0};
            List<Explanation> result = explainer.explain(images, targets, ids, 1, new ExplainListener() {
                @Override public void onIteration(int variant, AttackIteration e) {
                    bar.update(done[0], "iteration " + (e.iteration() + 1) + "/" + e.iterations());
                }
                @Override public void onExplanation(Explanation e) {
                    try {
                        w.write(ExplanationJson.mapper().writeValueAsString(e));
                        w.newLine();
                        w.flush();
                    } catch (IOException ex) {
                        throw new UncheckedIOException("cannot append to " + partial, ex);
                    }
                }
                @Override public void onProgress(long d, long total) {
                    done[0] = d;
                    bar.update(d, "");
                }
            });
            bar.finish();
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + partial, e);
        }
    }
}
