package org.acejvm.benchmarks;

import java.util.concurrent.TimeUnit;
import org.acejvm.attacks.AttackSession;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.Refiner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of ACE's hot paths (see benchmarks/README in the top README, "Benchmarks").
 *
 * <p>Each workload has its own state, whose trial setup builds the models and runs the workload twice: the first
 * call of a SameDiff graph creates the graph, the gradient function and the session arrays (6-20 s), which no
 * timed iteration should see. JMH warm-up iterations then follow as usual. Time is per call of the workload
 * (average time; single shot for the whole explanation, which runs for minutes).
 *
 * <p>Run with {@code benchmarks/run-quick.sh} (the quick comparison with PyTorch) or directly:
 * {@code java -cp ... org.openjdk.jmh.Main AceBenchmarks.attackStep -p model=fmnist -p batch=8}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=8G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=12G"})
public class AceBenchmarks {

    /** Common parameters: the model set and the batch size. */
    @State(Scope.Benchmark)
    public abstract static class Base {
        @Param({"fmnist", "celeba"}) public String model;
        @Param({"1", "8"}) public int batch;
        protected BenchModels m;

        protected void load() { m = BenchModels.of(model, batch); }
    }

    public static class UnetState extends Base {
        BenchModels.UnetForward unet;

        @Setup(Level.Trial) public void setup() {
            load();
            unet = m.unetForward();
            unet.run();
            unet.run();
        }
    }

    public static class FilterState extends Base {
        @Setup(Level.Trial) public void setup() {
            load();
            m.filterForward();
            m.filterForward();
        }
    }

    public static class AttackState extends Base {
        AttackSession session;

        @Setup(Level.Trial) public void setup() {
            load();
            session = m.attackSession();
            m.attackStep(session);
            m.attackStep(session);
        }
    }

    public static class RefineState extends Base {
        Refiner refiner;

        @Setup(Level.Trial) public void setup() {
            load();
            refiner = m.refiner();
            m.refine(refiner);
            m.refine(refiner);
        }
    }

    /** No warm-up call here (one call takes minutes): the JMH warm-up shot pays for the graph creation. */
    public static class ExplainState extends Base {
        Explainer explainer;

        @Setup(Level.Trial) public void setup() {
            load();
            explainer = m.explainer();
        }
    }

    /** One UNet call (forward) at the first filter step, t = 41. */
    @Benchmark public Object unetForward(UnetState s) { return s.unet.run(); }

    /** F_tau forward, S = 5 (DdpmFilter.filter). */
    @Benchmark public Object filterForward(FilterState s) { return s.m.filterForward(); }

    /** One PGD step through F_tau (AttackSession with iterations(1); see BenchModels#attackStep). */
    @Benchmark public Object attackStep(AttackState s) { return s.m.attackStep(s.session); }

    /** Mask and diffusion inpainting (Refiner.inpainting) of a batch with a non-trivial mask. */
    @Benchmark public Object refine(RefineState s) { return s.m.refine(s.refiner); }

    /** A whole explanation with the default settings (Explainer: 50 PGD iterations through F_tau, inpainting). */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 1)
    public Object explain(ExplainState s) { return s.m.explain(s.explainer); }
}
