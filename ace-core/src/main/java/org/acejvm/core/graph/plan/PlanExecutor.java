package org.acejvm.core.graph.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.acejvm.core.graph.GraphExecutor;
import org.acejvm.core.graph.SameDiffExecutor;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link GraphExecutor} that compiles a SameDiff graph into a {@link CompiledGraph} per set of feed shapes and
 * outputs, and runs that: ND4J calls on preallocated arrays, hand-written input gradients. A graph it cannot
 * compile (an op with no input gradient here) runs on {@link SameDiffExecutor}, with one log line saying why.
 *
 * <p>A batch of several samples is cut along axis 0 into one part per {@link PlanWorkers} thread, each part run by its
 * own plan, when {@link BatchSplit} finds that the graph keeps the samples apart; the parts' outputs are joined
 * (concatenated, or added for a loss summed over the samples). A graph that mixes samples runs whole, with one log line
 * saying why.
 *
 * <p>Keeps the two most recently used plans of each kind (forward, forward+backward) per part, so that a batch that
 * shrinks at the end of a run does not recompile the full-size plan of the next run. Calls on one instance are
 * serialised.
 */
public final class PlanExecutor implements GraphExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(PlanExecutor.class);
    private static final int PLANS_KEPT = 2;

    private final SameDiff sd;
    private final PlanWorkers workers;
    private final Map<String, CompiledGraph> plans = new LinkedHashMap<>(4, 0.75f, true);
    private final List<Map<String, CompiledGraph>> partPlans = new ArrayList<>(); // per worker
    private SameDiffExecutor fallback;
    private String unsupportedForward;
    private String unsupportedBackward;
    private String wholeBatch; // why batches are not split, once found

    public PlanExecutor(SameDiff sd) { this(sd, PlanWorkers.shared()); }

    PlanExecutor(SameDiff sd, PlanWorkers workers) {
        this.sd = sd;
        this.workers = workers;
        for (int i = 0; i < workers.count(); i++) partPlans.add(new LinkedHashMap<>(4, 0.75f, true));
    }

    @Override
    public synchronized Map<String, INDArray> forward(Map<String, INDArray> feed, List<String> outputs) {
        if (unsupportedForward == null) {
            try {
                return run(feed, outputs, null, null).outputs();
            } catch (UnsupportedGraphException e) {
                unsupportedForward = e.getMessage();
                LOG.info("graph runs on SameDiff: {}", e.getMessage());
            }
        }
        return fallback().forward(feed, outputs);
    }

    @Override
    public synchronized Gradient forwardBackward(Map<String, INDArray> feed, List<String> outputs, String loss, String wrt) {
        if (unsupportedBackward == null) {
            try {
                CompiledGraph.Result r = run(feed, outputs, loss, wrt);
                return new Gradient(r.outputs(), r.gradient());
            } catch (UnsupportedGraphException e) {
                unsupportedBackward = e.getMessage();
                LOG.info("gradient runs on SameDiff: {}", e.getMessage());
            }
        }
        return fallback().forwardBackward(feed, outputs, loss, wrt);
    }

    /** Why this graph's forward (or gradient) runs on SameDiff, or null when it runs on the plan. */
    public synchronized String unsupported(boolean backward) { return backward ? unsupportedBackward : unsupportedForward; }

    /** Why this graph's batches run whole (a sample-mixing op, or only one worker), or null while they are split. */
    public synchronized String wholeBatch() { return workers.count() < 2 ? "one worker thread" : wholeBatch; }

    /** Normalisations that the kept plans run as one fused kernel. */
    public synchronized int fusedNormalisations() {
        return allPlans().stream().mapToInt(CompiledGraph::fusedCount).sum();
    }

    /** Bytes the kept plans hold for intermediates and gradients. */
    public synchronized long planBytes() {
        return allPlans().stream().mapToLong(CompiledGraph::bytes).sum();
    }

    private List<CompiledGraph> allPlans() {
        List<CompiledGraph> all = new ArrayList<>(plans.values());
        partPlans.forEach(m -> all.addAll(m.values()));
        return all;
    }

    private CompiledGraph.Result run(Map<String, INDArray> feed, List<String> outputs, String loss, String wrt) {
        long batch = batchOf(feed, wrt);
        int parts = (int) Math.min(workers.count(), batch);
        if (parts > 1 && wholeBatch == null) {
            CompiledGraph.Result r = runSplit(feed, outputs, loss, wrt, batch, parts);
            if (r != null) return r;
        }
        return plan(plans, feed, outputs, loss, wrt, Set.of()).run(feed);
    }

    /** The batch cut into parts, run on the workers and joined; null (and remembered) when the graph mixes samples. */
    private CompiledGraph.Result runSplit(Map<String, INDArray> feed, List<String> outputs, String loss, String wrt,
                                          long batch, int parts) {
        Set<String> split = new HashSet<>();
        feed.forEach((name, a) -> { if (a.rank() > 0 && a.size(0) == batch) split.add(name); });
        List<Map<String, INDArray>> feeds = new ArrayList<>();
        List<CompiledGraph> partPlan = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            long from = batch * i / parts, to = batch * (i + 1) / parts;
            Map<String, INDArray> part = new HashMap<>(feed);
            for (String name : split) part.put(name, feed.get(name).get(NDArrayIndex.interval(from, to)));
            CompiledGraph p;
            try {
                p = plan(partPlans.get(i), part, outputs, loss, wrt, split);
            } catch (UnsupportedGraphException e) {
                throw e;
            } catch (RuntimeException e) { // e.g. a shape that only fits the whole batch
                p = null;
                wholeBatch = "a part of the batch does not compile: " + e.getMessage();
            }
            if (p != null && !p.split().splits()) wholeBatch = p.split().whyNot();
            if (wholeBatch != null) {
                LOG.info("batches of this graph run whole on one thread: {}", wholeBatch);
                partPlans.forEach(m -> { m.values().forEach(CompiledGraph::close); m.clear(); });
                return null;
            }
            feeds.add(part);
            partPlan.add(p);
        }
        List<Future<CompiledGraph.Result>> running = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            CompiledGraph p = partPlan.get(i);
            Map<String, INDArray> part = feeds.get(i);
            running.add(workers.submit(i, () -> p.run(part)));
        }
        List<CompiledGraph.Result> results = new ArrayList<>();
        for (Future<CompiledGraph.Result> f : running) results.add(await(f));
        Map<String, BatchSplit.Join> joins = partPlan.get(0).split().joins();
        Map<String, INDArray> out = new HashMap<>();
        for (String name : results.get(0).outputs().keySet()) {
            out.put(name, join(joins.get(name), results, r -> r.outputs().get(name)));
        }
        INDArray gradient = loss == null ? null : join(BatchSplit.Join.CONCAT, results, CompiledGraph.Result::gradient);
        return new CompiledGraph.Result(out, gradient);
    }

    /** One value of every part's result, joined into the whole batch's. */
    private static INDArray join(BatchSplit.Join join, List<CompiledGraph.Result> results,
                                 Function<CompiledGraph.Result, INDArray> value) {
        INDArray[] pieces = results.stream().map(value).toArray(INDArray[]::new);
        switch (join) {
            case CONCAT: return Nd4j.concat(0, pieces);
            case SUM:
                INDArray sum = pieces[0];
                for (int i = 1; i < pieces.length; i++) sum.addi(pieces[i]);
                return sum;
            default: return pieces[0];
        }
    }

    private static CompiledGraph.Result await(Future<CompiledGraph.Result> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a part of the batch ran", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The batch size: axis 0 of the differentiated input, else of the largest feed. */
    private static long batchOf(Map<String, INDArray> feed, String wrt) {
        INDArray a = wrt != null ? feed.get(wrt) : null;
        if (a == null) {
            for (INDArray f : feed.values()) if (a == null || f.length() > a.length()) a = f;
        }
        return a == null || a.rank() == 0 ? 1 : a.size(0);
    }

    private CompiledGraph plan(Map<String, CompiledGraph> plans, Map<String, INDArray> feed, List<String> outputs,
                               String loss, String wrt, Set<String> split) {
        String key = key(feed, outputs, loss, wrt);
        CompiledGraph p = plans.get(key);
        if (p != null) return p;
        p = new CompiledGraph(sd, feed, outputs, loss, wrt, split);
        String kind = loss == null ? "F" : "B";
        List<String> sameKind = new ArrayList<>();
        for (String k : plans.keySet()) if (k.startsWith(kind)) sameKind.add(k);
        for (int i = 0; i <= sameKind.size() - PLANS_KEPT; i++) plans.remove(sameKind.get(i)).close();
        plans.put(key, p);
        return p;
    }

    private static String key(Map<String, INDArray> feed, List<String> outputs, String loss, String wrt) {
        StringBuilder b = new StringBuilder(loss == null ? "F" : "B:" + loss + "/" + wrt);
        new TreeMap<>(feed).forEach((name, a) -> b.append('|').append(name).append(a.dataType()).append(Arrays.toString(a.shape())));
        b.append("->").append(outputs);
        return b.toString();
    }

    private SameDiffExecutor fallback() {
        if (fallback == null) fallback = new SameDiffExecutor(sd);
        return fallback;
    }
}
