package org.acejvm.core.graph.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.acejvm.core.graph.GraphExecutor;
import org.acejvm.core.graph.SameDiffExecutor;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link GraphExecutor} that compiles a SameDiff graph into a {@link CompiledGraph} per set of feed shapes and
 * outputs, and runs that: ND4J calls on preallocated arrays, hand-written input gradients. A graph it cannot
 * compile (an op with no input gradient here) runs on {@link SameDiffExecutor}, with one log line saying why.
 *
 * <p>Keeps the two most recently used plans of each kind (forward, forward+backward), so that a batch that shrinks
 * at the end of a run does not recompile the full-size plan of the next run. Calls on one instance are serialised.
 */
public final class PlanExecutor implements GraphExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(PlanExecutor.class);
    private static final int PLANS_KEPT = 2;

    private final SameDiff sd;
    private final Map<String, CompiledGraph> plans = new LinkedHashMap<>(4, 0.75f, true);
    private SameDiffExecutor fallback;
    private String unsupportedForward;
    private String unsupportedBackward;

    public PlanExecutor(SameDiff sd) { this.sd = sd; }

    @Override
    public synchronized Map<String, INDArray> forward(Map<String, INDArray> feed, List<String> outputs) {
        if (unsupportedForward == null) {
            try {
                return plan(feed, outputs, null, null).run(feed).outputs();
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
                CompiledGraph.Result r = plan(feed, outputs, loss, wrt).run(feed);
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

    /** Normalisations that the kept plans run as one fused kernel. */
    public synchronized int fusedNormalisations() {
        return plans.values().stream().mapToInt(CompiledGraph::fusedCount).sum();
    }

    /** Bytes the kept plans hold for intermediates and gradients. */
    public synchronized long planBytes() {
        return plans.values().stream().mapToLong(CompiledGraph::bytes).sum();
    }

    private CompiledGraph plan(Map<String, INDArray> feed, List<String> outputs, String loss, String wrt) {
        String key = key(feed, outputs, loss, wrt);
        CompiledGraph p = plans.get(key);
        if (p != null) return p;
        p = new CompiledGraph(sd, feed, outputs, loss, wrt);
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
