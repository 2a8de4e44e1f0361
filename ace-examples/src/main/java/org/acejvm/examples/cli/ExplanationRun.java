package org.acejvm.examples.cli;

import java.nio.file.Path;
import java.util.List;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import org.acejvm.attacks.Targets;
import org.acejvm.core.result.Explanation;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.batch.BatchRunner;
import org.acejvm.refine.batch.ResultStore;
import org.acejvm.refine.batch.RunProgress;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One explainer over a set of images through the library's {@link BatchRunner} and a {@link ResultStore} in the
 * output folder, with a console progress bar: every finished batch is on disk before the next starts. A rerun with
 * the same explainer, seed and images takes the stored explanations; a run with other settings or images moves the
 * old results aside ({@code results.jsonl.<n>.old}) rather than mixing or deleting them.
 */
final class ExplanationRun {
    private ExplanationRun() {}

    static List<Explanation> run(String label, Explainer explainer, INDArray images, Targets targets, long[] ids, Path out,
                                 long seed, RunProgress progress) {
        String settings = explainer + "\n" + explainer.attack().settings() + "\ntargets=" + targets + "\nseed=" + seed
                + "\nimages=" + checksum(images) + "\n";
        ResultStore store = ResultStore.open(out, settings, ResultStore.Mode.RESUME_OR_SET_ASIDE);
        if (store.setAside() != null) {
            System.err.println(label + ": " + out.resolve(ResultStore.RESULTS) + " held another run's results; moved to "
                    + store.setAside());
        }
        return BatchRunner.explain(label, explainer, images, ids, targets, BatchRunner.Sink.of(store),
                progress).explanations();
    }

    /** A SHA-256 of the images' values (the store is keyed by sample id, so other images must not resume). */
    private static String checksum(INDArray images) {
        Hasher h = Hashing.sha256().newHasher();
        for (float f : images.castTo(DataType.FLOAT).dup('c').data().asFloat()) h.putFloat(f);
        return h.hash().toString();
    }
}
