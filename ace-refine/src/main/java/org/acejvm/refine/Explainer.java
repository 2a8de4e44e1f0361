package org.acejvm.refine;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.attacks.Attack;
import org.acejvm.attacks.AttackResult;
import org.acejvm.attacks.AttackSession;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.GradientAttack;
import org.acejvm.attacks.Targets;
import org.acejvm.core.Checks;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.SeededNoiseSource;
import org.acejvm.core.graph.ImageMap;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ImageData;
import org.acejvm.core.result.Scores;
import org.acejvm.diffusion.DdpmFilter;
import org.acejvm.diffusion.DiffusionFilter;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.Inpainter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counterfactual explanations of a classifier: an attack through an optional filter (the pre-explanation), then a
 * refiner (the explanation).
 *
 * <pre>
 *   Explainer ace = Explainer.builder(classifier).preset(AcePreset.CELEBA, diffusionModel).build();
 *   List&lt;Explanation&gt; out = ace.explain(images, Targets.opposite());
 * </pre>
 *
 * <p>Images are explained in batches of {@link Builder#batchSize(int)}; every random number is drawn per sample, keyed
 * by its sample id, so results do not depend on the batch size. Several explanations per image ({@code variants})
 * use independent noise streams ({@link SeededNoiseSource#variant}). The attack's objective graph is built once, on
 * the first batch, and reused. Not thread-safe: use one explainer per thread.
 */
public final class Explainer {
    private static final Logger LOG = LoggerFactory.getLogger(Explainer.class);

    private final DifferentiableClassifier classifier;
    private final ImageMap filter;
    private final Attack attack;
    private final Refiner refiner;
    private final int batchSize;
    private final NoiseSource noise;
    private final String method;
    private AttackSession session;

    private Explainer(Builder b) {
        this.classifier = b.classifier;
        this.filter = b.filter;
        this.attack = b.attack;
        this.refiner = b.refiner;
        this.batchSize = b.batchSize;
        this.noise = b.noise;
        this.method = b.method != null ? b.method : refiner.name();
    }

    /** A builder with the reference defaults: PGD (50 iterations, 1/255, eps 1, lambda1 0.001), no filter, Pre-CE. */
    public static Builder builder(DifferentiableClassifier classifier) { return new Builder(classifier); }

    public DifferentiableClassifier classifier() { return classifier; }
    public ImageMap filter() { return filter; }
    public Attack attack() { return attack; }
    public Refiner refiner() { return refiner; }
    public int batchSize() { return batchSize; }
    public String method() { return method; }

    /** One explanation per image; sample ids 0..N-1. */
    public List<Explanation> explain(INDArray images, Targets targets) {
        return explain(images, targets, null, 1, ExplainListener.none());
    }

    /** One explanation per image with the given sample ids (they key the noise). */
    public List<Explanation> explain(INDArray images, Targets targets, long[] sampleIds) {
        return explain(images, targets, sampleIds, 1, ExplainListener.none());
    }

    /**
     * {@code variants} explanations per image, ordered image by image (index {@code i * variants + v}). Variant 0
     * uses the explainer's noise source, variant v &gt; 0 its {@link SeededNoiseSource#variant(long) variant(v)}.
     */
    public List<Explanation> explain(INDArray images, Targets targets, long[] sampleIds, int variants,
                                     ExplainListener listener) {
        Checks.rank(images, 4, "images");
        Checks.notNull(targets, "targets");
        if (variants < 1) throw new InvalidInputException.Range("variants: expected at least 1, got " + variants);
        ExplainListener events = listener == null ? ExplainListener.none() : listener;
        int n = (int) images.size(0);
        long[] ids = sampleIds == null ? range(n) : sampleIds.clone();
        Checks.sameCount(ids.length, "sampleIds", n, "images");
        if (targets.count() >= 0) Checks.sameCount(targets.count(), "targets", n, "images");
        NoiseSource[] sources = new NoiseSource[variants];
        for (int v = 0; v < variants; v++) sources[v] = noiseFor(v);
        List<Explanation> out = new ArrayList<>(n * variants);
        long done = 0;
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            INDArray batch = images.get(NDArrayIndex.interval(from, to)).dup();
            long[] batchIds = java.util.Arrays.copyOfRange(ids, from, to);
            List<List<Explanation>> perVariant = new ArrayList<>();
            for (int v = 0; v < variants; v++) {
                List<Explanation> r = explainBatch(batch, targets.slice(from, to), batchIds, v, sources[v], events);
                perVariant.add(r);
                done += r.size();
                events.onProgress(done, (long) n * variants);
            }
            for (int i = 0; i < to - from; i++) {
                for (int v = 0; v < variants; v++) out.add(perVariant.get(v).get(i));
            }
        }
        return out;
    }

    private NoiseSource noiseFor(int variant) {
        if (variant == 0) return noise;
        if (noise instanceof SeededNoiseSource s) return s.variant(variant);
        throw new InvalidInputException("several explanations per image need a seeded noise source (NoiseSource.seeded), got "
                + noise);
    }

    private List<Explanation> explainBatch(INDArray images, Targets targets, long[] ids, int variant, NoiseSource src,
                                           ExplainListener events) {
        long start = System.nanoTime();
        if (session == null) session = attack.prepare(classifier, filter);
        AttackResult a = session.run(images, targets, ids, src, e -> events.onIteration(variant, e));
        Refinement r = refiner.refine(images, a.adversarial(), ids, src);
        INDArray pAfter = classifier.probabilities(r.explanation());
        long nanos = (System.nanoTime() - start) / ids.length;
        INDArray edited = r.keep().rsub(1.0);
        List<Explanation> out = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            int source = a.sources()[i];
            int target = a.targeted() ? a.targets()[i] : -1;
            Scores before = scores(a.initialProbabilities(), i, source, target);
            Scores afterAttack = scores(a.probabilities(), i, source, target);
            Scores after = scores(pAfter, i, source, target);
            boolean success = target >= 0 ? after.predicted() == target : after.predicted() != source;
            Explanation e = new Explanation(ids[i], variant, method, source, target,
                    image(a.adversarial(), i), image(r.explanation(), i), image(edited, i),
                    r.noisyStart() == null ? null : image(r.noisyStart(), i),
                    before, afterAttack, after, a.reached()[i], success, a.iterations()[i], nanos);
            events.onExplanation(e);
            out.add(e);
        }
        LOG.debug("explained {} images (variant {}): attack {} ms, success {}/{}", ids.length, variant,
                a.nanos() / 1_000_000, out.stream().filter(Explanation::success).count(), ids.length);
        return out;
    }

    private static Scores scores(INDArray p, int row, int source, int target) {
        int k = (int) p.size(1);
        int best = 0;
        for (int c = 1; c < k; c++) if (p.getDouble(row, c) > p.getDouble(row, best)) best = c;
        double ps = p.getDouble(row, source);
        return new Scores(best, ps, target >= 0 ? p.getDouble(row, target) : 1.0 - ps);
    }

    private static ImageData image(INDArray batch, int i) {
        return ImageData.of(batch.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()));
    }

    private static long[] range(int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    @Override public String toString() {
        return "Explainer(" + method + ", " + attack.name() + ", filter " + filter + ", " + refiner + ", batch " + batchSize + ")";
    }

    /** Builder of an {@link Explainer}; starts from the reference defaults. */
    public static final class Builder {
        private final DifferentiableClassifier classifier;
        private ImageMap filter = ImageMap.identity();
        private Attack attack = Attacks.pgd();
        private Refiner refiner = Refiner.identity();
        private int batchSize = AttackSettings.REFERENCE_BATCH_SIZE;
        private NoiseSource noise = NoiseSource.seeded(0);
        private String method;
        private DiffusionModel model;
        private double fraction;
        private MaskSettings mask = MaskSettings.reference();
        private Integer inpaintingSteps; // null: the filter's S, as the reference

        private Builder(DifferentiableClassifier classifier) {
            Checks.notNull(classifier, "classifier");
            this.classifier = classifier;
        }

        /** The filter the attack sees the classifier through (identity if never set). */
        public Builder filter(ImageMap f) { Checks.notNull(f, "filter"); filter = f; return this; }

        public Builder attack(Attack a) { Checks.notNull(a, "attack"); attack = a; return this; }

        /** Replaces the attack's settings (the attack must be a {@link GradientAttack}). */
        public Builder attackSettings(AttackSettings s) {
            Checks.notNull(s, "settings");
            if (!(attack instanceof GradientAttack g)) {
                throw new InvalidInputException("attackSettings needs a GradientAttack, got " + attack);
            }
            attack = g.withSettings(s);
            return this;
        }

        public Builder refiner(Refiner r) { Checks.notNull(r, "refiner"); refiner = r; return this; }

        /** Images per batch (memory); results do not depend on it. Default 16. */
        public Builder batchSize(int b) {
            if (b < 1) throw new InvalidInputException.Range("batchSize: expected at least 1, got " + b);
            batchSize = b;
            return this;
        }

        /** Where all noise comes from; default {@code NoiseSource.seeded(0)}. */
        public Builder noise(NoiseSource n) { Checks.notNull(n, "noise"); noise = n; return this; }

        public Builder seed(long seed) { return noise(NoiseSource.seeded(seed)); }

        /** The label stored in each result (default: the refiner's name). */
        public Builder method(String m) { method = m; return this; }

        /**
         * Full ACE with a diffusion model: the stochastic filter with S = int(fraction * K) steps for the attack, and
         * inpainting refinement with the same S (or {@link #inpaintingSteps}) and the current mask settings.
         */
        public Builder diffusion(DiffusionModel m, double f) {
            Checks.notNull(m, "model");
            model = m;
            fraction = f;
            filter = DdpmFilter.ofFraction(m, f, true);
            refiner = Refiner.inpainting(inpainter(), mask);
            return this;
        }

        /**
         * Starts the inpainting refinement from {@code steps} respaced steps instead of the filter's S (the reference
         * uses one tau for both). Fewer steps re-generate less of the masked region, so less of the attack's change
         * is washed out: more flips, less realism. Re-creates the inpainting refiner if one is set (keeping its
         * resampling); may be called before or after {@link #diffusion}.
         */
        public Builder inpaintingSteps(int steps) {
            if (steps < 1) throw new InvalidInputException.Range("inpaintingSteps: expected at least 1, got " + steps);
            inpaintingSteps = steps;
            if (refiner instanceof InpaintingRefiner ir) refiner = Refiner.inpainting(ir.inpainter().withSteps(steps), mask);
            return this;
        }

        private Inpainter inpainter() {
            return inpaintingSteps == null ? Inpainter.ofFraction(model, fraction) : Inpainter.of(model, inpaintingSteps);
        }

        /** Mask settings for the inpainting refiner (re-creates it if {@link #diffusion} was set). */
        public Builder mask(MaskSettings ms) {
            Checks.notNull(ms, "mask");
            mask = ms;
            if (refiner instanceof InpaintingRefiner ir) refiner = Refiner.inpainting(ir.inpainter(), ms);
            return this;
        }

        /** RePaint resampling in the inpainting refinement (jumpCount 1 is the reference). */
        public Builder resampling(int jumpLength, int jumpCount) {
            if (!(refiner instanceof InpaintingRefiner ir)) {
                throw new InvalidInputException("resampling needs the inpainting refiner; set diffusion(...) first");
            }
            refiner = Refiner.inpainting(ir.inpainter().withResampling(jumpLength, jumpCount), mask);
            return this;
        }

        /**
         * A published setting: PGD with the preset's iterations and the reference step, epsilon and lambda1; the
         * preset's filter fraction, mask threshold; full ACE refinement. {@code model} should carry the preset's
         * schedule (see {@link AcePreset#diffusionModel}).
         */
        public Builder preset(AcePreset p, DiffusionModel m) {
            Checks.notNull(p, "preset");
            int k = m.numSteps();
            if (k != p.respacing()) {
                LOG.warn("preset {} expects {} respaced steps, the model has {}", p.name(), p.respacing(), k);
            }
            attack = Attacks.pgd(AttackSettings.builder().iterations(p.iterations()).build());
            mask = p.mask();
            return diffusion(m, p.fraction());
        }

        /**
         * One of the paper's Table 5 variants, on the diffusion model set by {@link #diffusion} or {@link #preset}
         * (PRE_CE needs none). F-CE's filter runs over the un-respaced schedule with S = int(fraction * T) steps
         * (the UNet, variance, clipping and timestep type of the model; timesteps not rescaled).
         */
        public Builder ablation(Ablation a) {
            Checks.notNull(a, "ablation");
            if (a != Ablation.PRE_CE && model == null) {
                throw new InvalidInputException(a.label() + " needs a diffusion model: call diffusion(...) or preset(...) first");
            }
            refiner = switch (a) {
                case PRE_CE -> Refiner.identity(mask);
                case FR_CE -> new FilterRefiner(filter, a.label(), mask);
                // step by step: one graph of all int(fraction * T) UNet calls kept 14 GB at batch 8 (Fashion-MNIST, S = 50)
                case F_CE -> new FilterRefiner(DdpmFilter.ofFraction(unrespaced(model), fraction, true)
                        .withGradientMode(DdpmFilter.GradientMode.RECOMPUTE_PER_STEP), a.label(), mask);
                case ACE -> Refiner.inpainting(inpainter(), mask);
            };
            method = a.label();
            return this;
        }

        private static DiffusionModel unrespaced(DiffusionModel m) {
            return DiffusionModel.builder(m.unet(), m.imageSpec())
                    .schedule(m.spacedSchedule().base(), "")
                    .variance(m.variance())
                    .clipDenoised(m.clipDenoised())
                    .timestepType(m.timestepType())
                    .build();
        }

        public Explainer build() {
            if (filter instanceof DiffusionFilter f && !f.imageSpec().equals(classifier.inputSpec())) {
                throw new InvalidInputException.Mismatch("the filter takes " + f.imageSpec() + " images, the classifier "
                        + classifier.inputSpec());
            }
            if (attack.targetedOnly()) LOG.debug("{} is targeted only", attack.name());
            return new Explainer(this);
        }
    }
}
