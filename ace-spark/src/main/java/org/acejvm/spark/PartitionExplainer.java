package org.acejvm.spark;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.acejvm.attacks.Targets;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.batch.BatchRunner;
import org.acejvm.refine.batch.MethodSpec;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The function each partition runs: its rows, sorted by batch and id, batch by batch through the library's
 * {@link BatchRunner}, one output row per explanation (a partition's images are never all in memory at once). The
 * driver assigned each image its batch (consecutive ids in the whole input's order, as a single-JVM run batches them)
 * and put every batch whole in one partition, and noise is keyed by image id: so an explanation, its probabilities
 * included, does not depend on the partitioning or the executor, bit for bit (batched operators round differently
 * for other batch compositions).
 */
final class PartitionExplainer implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<ModelBundle> models;
    private final String spec;
    private final TargetRule rule;
    private final PartitionListener listener;

    /** The column of the batch each row belongs to (added by the driver). */
    static final String BATCH = "ace_batch";

    PartitionExplainer(Broadcast<ModelBundle> models, MethodSpec spec, TargetRule rule, PartitionListener listener) {
        this.models = models;
        this.spec = spec.toFullText();
        this.rule = rule;
        this.listener = listener;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        Explainer explainer = ExecutorModels.explainer(models.value(), MethodSpec.parse(spec));
        ImageSpec imageSpec = explainer.classifier().inputSpec();
        TaskContext task = TaskContext.get();
        int partition = task == null ? 0 : task.partitionId();
        int attempt = task == null ? 0 : task.attemptNumber();
        long t0 = System.nanoTime();
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();
            private long done;
            private Row pending;

            @Override public boolean hasNext() {
                while (ready.isEmpty() && (pending != null || input.hasNext())) explainNextBatch();
                return !ready.isEmpty();
            }

            @Override public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.poll();
            }

            /** The rows of the next batch: consecutive rows with the same batch number. */
            private void explainNextBatch() {
                List<ImageRows.Item> items = new ArrayList<>();
                Row first = pending != null ? pending : input.next();
                pending = null;
                long batch = first.getLong(first.fieldIndex(BATCH));
                items.add(ImageRows.decode(first, imageSpec));
                while (input.hasNext()) {
                    Row r = input.next();
                    if (r.getLong(r.fieldIndex(BATCH)) != batch) {
                        pending = r;
                        break;
                    }
                    items.add(ImageRows.decode(r, imageSpec));
                }
                long[] ids = new long[items.size()];
                INDArray[] images = new INDArray[items.size()];
                Set<Long> seen = new HashSet<>();
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = items.get(i).id();
                    images[i] = items.get(i).image();
                    if (!seen.add(ids[i])) throw new InvalidInputException("id " + ids[i] + " occurs twice in the input");
                }
                BatchRunner.Sink out = BatchRunner.Sink.inMemory();
                BatchRunner.explain("partition " + partition, explainer, Nd4j.stack(0, images), ids, targets(items), out, null);
                for (int i = 0; i < ids.length; i++) ready.add(ResultRows.of(out.get(ids[i]), images[i]));
                done += ids.length;
                listener.batchDone(partition, attempt, done, (System.nanoTime() - t0) / 1e9);
            }
        };
    }

    /** The rows' own targets when every row has one, else the rule (a batch mixing both is refused). */
    private Targets targets(List<ImageRows.Item> items) {
        long given = items.stream().filter(i -> i.target() != null).count();
        if (given == 0) return rule.targets();
        if (given < items.size()) {
            throw new InvalidInputException("the target column is null for some rows: give a target for every row or none");
        }
        return Targets.classes(items.stream().mapToInt(ImageRows.Item::target).toArray());
    }
}
