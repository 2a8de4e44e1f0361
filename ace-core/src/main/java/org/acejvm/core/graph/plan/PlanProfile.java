package org.acejvm.core.graph.plan;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Time per step kind of every plan run in this JVM, when {@code -Dace.plan.profile=true} (for benchmarks/PROFILE.md;
 * off by default, when a run costs one boolean test per graph call).
 */
public final class PlanProfile {
    static final boolean ENABLED = Boolean.getBoolean("ace.plan.profile");
    private static final Map<String, LongAdder[]> BY_LABEL = new ConcurrentHashMap<>();

    private PlanProfile() {}

    static void add(String label, long nanos) {
        LongAdder[] a = BY_LABEL.computeIfAbsent(label, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        a[0].add(nanos);
        a[1].increment();
    }

    /** Label -> {total nanoseconds, calls} since the last reset. */
    public static Map<String, long[]> snapshot() {
        Map<String, long[]> out = new TreeMap<>();
        BY_LABEL.forEach((k, v) -> out.put(k, new long[] {v[0].sum(), v[1].sum()}));
        return out;
    }

    public static void reset() { BY_LABEL.clear(); }
}
