package org.acejvm.core.graph;

import java.util.Locale;
import org.acejvm.core.Backends;
import org.acejvm.core.graph.plan.PlanExecutor;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Which engine runs the library's graphs: the system property {@code ace.engine} ({@code plan} or
 * {@code samediff}), else the plan on the CPU backend and SameDiff on CUDA (the plan's hand-written loops run on the
 * host).
 */
public enum GraphEngine {
    /** SameDiff's own session ({@link SameDiffExecutor}). */
    SAMEDIFF,
    /** The compiled plan ({@link PlanExecutor}). */
    PLAN;

    public static final String PROPERTY = "ace.engine";

    /** The engine chosen for this JVM now. */
    public static GraphEngine current() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) return Backends.cudaInUse() ? SAMEDIFF : PLAN;
        return switch (p.trim().toLowerCase(Locale.ROOT)) {
            case "plan" -> PLAN;
            case "samediff" -> SAMEDIFF;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + " must be plan or samediff, got '" + p + "'");
        };
    }

    /** An executor of this engine for the graph. */
    public GraphExecutor executor(SameDiff sd) {
        return this == PLAN ? new PlanExecutor(sd) : new SameDiffExecutor(sd);
    }
}
