package org.acejvm.refine.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.acejvm.attacks.AttackIteration;
import org.acejvm.attacks.Targets;
import org.acejvm.core.Checks;
import org.acejvm.core.result.Explanation;
import org.acejvm.refine.ExplainListener;
import org.acejvm.refine.Explainer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Explains a data set in batches through an {@link Explainer}'s two stages, handing every finished batch to a sink
 * before starting the next, and skipping what a sink already holds: the one batch loop of the command line (with a
 * {@link ResultStore} as sink) and of a cluster run (with its partition's output as sink).
 */
public final class BatchRunner {
    private BatchRunner() {}

    /** Where finished explanations go, and what they already hold. */
    public interface Sink {
        /** The stored explanation of a sample (variant 0), or null when it is still to be made. */
        Explanation get(long sampleId);

        /** Keeps a finished batch (durably, before returning, for a store). */
        void accept(List<Explanation> batch);

        /** A sink in memory (a cluster partition's batch, a test's reference run): {@code get} returns what it holds. */
        static Sink inMemory() {
            java.util.Map<Long, Explanation> held = new java.util.HashMap<>();
            return new Sink() {
                @Override public Explanation get(long id) { return held.get(id); }
                @Override public void accept(List<Explanation> batch) { batch.forEach(e -> held.put(e.sampleId(), e)); }
            };
        }

        /** A store as sink. */
        static Sink of(ResultStore store) {
            return new Sink() {
                @Override public Explanation get(long id) { return store.get(id); }
                @Override public void accept(List<Explanation> batch) { store.append(batch); }
            };
        }
    }

    /**
     * Stage 1 and 2 together ({@link Explainer#explain}) for the images whose id the sink lacks.
     *
     * @param images  originals [N, C, H, W]
     * @param ids     one id per image; keys the noise and the store
     * @param targets targets of all N images (per-image targets are taken for the missing rows)
     */
    public static StoredRun explain(String label, Explainer explainer, INDArray images, long[] ids, Targets targets,
                                    Sink sink, RunProgress progress) {
        Checks.sameCount(ids.length, "ids", images.size(0), "images");
        int[] missing = missing(ids, sink);
        RunProgress p = progress == null ? RunProgress.none() : progress;
        p.started(label, missing.length, ids.length - missing.length);
        long t0 = System.nanoTime();
        if (missing.length > 0) {
            INDArray x = rows(images, missing);
            long[] todo = Arrays.stream(missing).mapToLong(i -> ids[i]).toArray();
            explainer.explain(x, targets.rows(missing), todo, 1, batchStoring(sink, p));
        }
        p.finished();
        return collect(ids, sink, missing, System.nanoTime() - t0, i -> sink.get(ids[i]).nanos());
    }

    /**
     * Stage 2 alone: {@code explainer}'s refinement of stored pre-explanations ({@code pre}, one per image of
     * {@code images}, in order) for the ones the sink lacks.
     */
    public static StoredRun refine(String label, Explainer explainer, INDArray images, List<Explanation> pre, Sink sink,
                                   RunProgress progress) {
        Checks.sameCount(pre.size(), "pre-explanations", images.size(0), "images");
        long[] ids = pre.stream().mapToLong(Explanation::sampleId).toArray();
        int[] missing = missing(ids, sink);
        RunProgress p = progress == null ? RunProgress.none() : progress;
        p.started(label, missing.length, ids.length - missing.length);
        long t0 = System.nanoTime();
        if (missing.length > 0) {
            List<Explanation> todo = Arrays.stream(missing).mapToObj(pre::get).toList();
            explainer.refine(rows(images, missing), todo, batchStoring(sink, p));
        }
        p.finished();
        // a refined explanation's own time includes its attack's; the stage's time is the refinement's
        return collect(ids, sink, missing, System.nanoTime() - t0, i -> sink.get(ids[i]).nanos() - pre.get(i).nanos());
    }

    /** A listener that hands each finished batch to the sink (explanations arrive batch by batch, then progress). */
    private static ExplainListener batchStoring(Sink sink, RunProgress p) {
        return new ExplainListener() {
            private final List<Explanation> pending = new ArrayList<>();
            private long done;

            @Override public void onIteration(int variant, AttackIteration e) {
                p.iteration(done, e.iteration() + 1, e.iterations());
            }

            @Override public void onExplanation(Explanation e) { pending.add(e); }

            @Override public void onProgress(long d, long total) {
                sink.accept(List.copyOf(pending));
                pending.clear();
                done = d;
                p.advanced(d);
            }
        };
    }

    private static int[] missing(long[] ids, Sink sink) {
        return java.util.stream.IntStream.range(0, ids.length).filter(i -> sink.get(ids[i]) == null).toArray();
    }

    private static INDArray rows(INDArray images, int[] rows) {
        if (rows.length == images.size(0)) return images;
        return images.get(NDArrayIndex.indices(Arrays.stream(rows).asLongStream().toArray())).dup();
    }

    private static StoredRun collect(long[] ids, Sink sink, int[] fresh, long wall,
                                     java.util.function.IntToLongFunction resumedNanos) {
        boolean[] isFresh = new boolean[ids.length];
        for (int i : fresh) isFresh[i] = true;
        List<Explanation> out = new ArrayList<>(ids.length);
        long nanos = wall;
        for (int i = 0; i < ids.length; i++) {
            Explanation e = sink.get(ids[i]);
            if (e == null) throw new IllegalStateException("no explanation of sample " + ids[i] + " after the run");
            out.add(e);
            if (!isFresh[i]) nanos += resumedNanos.applyAsLong(i);
        }
        return new StoredRun(out, nanos);
    }
}
