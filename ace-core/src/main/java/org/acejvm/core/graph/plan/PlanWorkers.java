package org.acejvm.core.graph.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The threads that run the parts of a split batch, one part per thread, shared by all plans of the JVM. Each runs
 * ND4J with one OpenMP thread: at this library's op sizes a team of OpenMP threads costs more in wake-ups than it
 * gains (benchmarks/PROFILE.md), while parts of the batch on separate cores do not wait for each other.
 *
 * <p>How many: the system property {@code ace.plan.threads}, else the number of cores; 1 keeps every batch whole on
 * the caller's thread.
 */
final class PlanWorkers {
    static final String PROPERTY = "ace.plan.threads";
    private static volatile PlanWorkers shared;

    private final List<ExecutorService> threads = new ArrayList<>();

    private PlanWorkers(int n) {
        for (int i = 0; i < n; i++) {
            int index = i;
            threads.add(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Worker(() -> {
                    // omp_set_num_threads, per thread in OpenMP (whether libnd4j keeps it per thread: not checked)
                    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
                    r.run();
                }, "ace-plan-" + index);
                t.setDaemon(true);
                return t;
            }));
        }
    }

    /** The JVM's workers, started at the first call. */
    static PlanWorkers shared() {
        PlanWorkers w = shared;
        if (w == null) {
            synchronized (PlanWorkers.class) {
                if (shared == null) shared = new PlanWorkers(configured());
                w = shared;
            }
        }
        return w;
    }

    /** The number of worker threads asked for; a clear error for a value that is not a positive integer. */
    static int configured() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) return Math.max(1, Runtime.getRuntime().availableProcessors());
        try {
            int n = Integer.parseInt(p.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + PROPERTY + " must be a positive integer, got '" + p + "'");
    }

    /** A separate set of n workers (tests; the library uses {@link #shared()}). */
    static PlanWorkers of(int n) { return new PlanWorkers(n); }

    int count() { return threads.size(); }

    /** Runs the task on worker i. */
    <T> Future<T> submit(int i, Callable<T> task) { return threads.get(i).submit(task); }

    /** True on a worker thread: loops there stay on their thread. */
    static boolean isWorker() { return Thread.currentThread() instanceof Worker; }

    private static final class Worker extends Thread {
        Worker(Runnable r, String name) { super(r, name); }
    }
}
