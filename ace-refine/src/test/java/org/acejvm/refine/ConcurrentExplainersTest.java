package org.acejvm.refine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Targets;
import org.acejvm.attacks.TinyNets;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.diffusion.DiffusionModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The threading rule of ARCHITECTURE.md: models (classifier, diffusion model) are built once and shared by every
 * thread; each thread builds its own {@link Explainer} on them. N threads explaining together give bit for bit what
 * the same work gives run one after the other, and nothing crashes (the classifier has a convolution, so oneDNN's
 * primitive cache is shared by the threads too).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrentExplainersTest {
    private static final int MAX_THREADS = 4;
    /** Per thread: 20 images explained one per batch, 10 PGD iterations each, 200 attack iterations in all. */
    private static final int IMAGES = 20;
    private static final int ITERATIONS = 10;

    private final SameDiffClassifier classifier = TinyNets.convDense(3, 51);
    private final DiffusionModel model = ToyDiffusion.model();
    private final List<List<Explanation>> sequential = new ArrayList<>();

    private Explainer explainer(int thread) {
        return Explainer.builder(classifier).diffusion(model, ToyDiffusion.FRACTION).mask(new MaskSettings(3, 0.15))
                .attackSettings(AttackSettings.builder().iterations(ITERATIONS).step(4.0 / 255).build())
                .batchSize(1).seed(100 + thread).build();
    }

    /** What thread {@code t} explains: its own images and ids; returns the results and counts attack iterations. */
    private List<Explanation> work(int t, AtomicLong iterations) {
        INDArray images = TinyNets.images(IMAGES, 1000 + t, 0.1, 0.9);
        long[] ids = new long[IMAGES];
        for (int i = 0; i < IMAGES; i++) ids[i] = 100L * t + i;
        List<Explanation> out = explainer(t).explain(images, Targets.untargeted(), ids);
        out.forEach(e -> iterations.addAndGet(e.iterations()));
        return out;
    }

    @BeforeAll
    void runSequentially() {
        for (int t = 0; t < MAX_THREADS; t++) sequential.add(work(t, new AtomicLong()));
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 3, 4})
    void threadsSharingTheModelsGiveTheSequentialResults(int threads) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<Explanation>>> futures = new ArrayList<>();
        List<AtomicLong> iterations = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                AtomicLong count = new AtomicLong();
                iterations.add(count);
                futures.add(pool.submit(() -> {
                    start.await(); // all threads explain at once
                    return work(thread, count);
                }));
            }
            for (int t = 0; t < threads; t++) {
                List<Explanation> got = futures.get(t).get(10, TimeUnit.MINUTES);
                assertThat(iterations.get(t).get()).as("attack iterations of thread " + t).isGreaterThanOrEqualTo(200);
                assertThat(withoutTimes(got)).as("thread " + t + " of " + threads).isEqualTo(withoutTimes(sequential.get(t)));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The results without their wall times (the only field that may differ). */
    static List<Explanation> withoutTimes(List<Explanation> list) {
        return list.stream().map(e -> new Explanation(e.sampleId(), e.variant(), e.method(), e.source(), e.target(),
                e.preExplanation(), e.explanation(), e.mask(), e.noisyStart(), e.before(), e.afterAttack(), e.after(),
                e.attackSuccess(), e.success(), e.iterations(), 0)).toList();
    }
}
