package org.acejvm.spark;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.acejvm.core.Classifier;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.metrics.FeatureExtractor;
import org.acejvm.refine.Explainer;
import org.acejvm.refine.batch.MethodSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an executor JVM has built, per thread: the models of a bundle and the explainers on them, made on first use
 * and kept for every later partition the thread runs (Spark reuses its task threads). Per thread because an explainer
 * and its graphs are not for concurrent use; the models of two threads are separate copies.
 */
final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final ThreadLocal<Map<String, Object>> CACHE = ThreadLocal.withInitial(HashMap::new);
    private static final AtomicInteger BUILDS = new AtomicInteger();

    private ExecutorModels() {}

    /** The explainer of {@code spec} on the bundle's models, built once per thread. */
    static Explainer explainer(ModelBundle bundle, MethodSpec spec) {
        return cached("explainer|" + bundle.key() + "|" + spec.toFullText(), () -> {
            DifferentiableClassifier c = classifier(bundle);
            DiffusionModel d = spec.filtered() ? cached("diffusion|" + bundle.key(), () -> bundle.diffusion(c.inputSpec())) : null;
            return spec.explainer(c, d);
        });
    }

    static DifferentiableClassifier classifier(ModelBundle bundle) {
        return cached("classifier|" + bundle.key(), bundle::classifier);
    }

    /** The bundle's oracle, or null. */
    static Classifier oracle(ModelBundle bundle) {
        return cached("oracle|" + bundle.key(), () -> Nullable.of(bundle.oracle())).value();
    }

    /** The bundle's feature network, or null. */
    static FeatureExtractor features(ModelBundle bundle) {
        return cached("features|" + bundle.key(), () -> Nullable.of(bundle.features(classifier(bundle)))).value();
    }

    /** How many models and explainers this JVM has built (to see the reuse in a test or a log). */
    static int builds() { return BUILDS.get(); }

    @SuppressWarnings("unchecked")
    private static <T> T cached(String key, Supplier<T> make) {
        Map<String, Object> m = CACHE.get();
        Object v = m.get(key);
        if (v == null) {
            long t0 = System.nanoTime();
            v = make.get();
            m.put(key, v);
            BUILDS.incrementAndGet();
            LOG.info("built {} on {} in {} ms", key.substring(0, key.indexOf('|')), Thread.currentThread().getName(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
        return (T) v;
    }

    /** A cached value that may be absent. */
    private record Nullable<T>(T value) {
        static <T> Nullable<T> of(T v) { return new Nullable<>(v); }
    }
}
