package org.acejvm.refine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.acejvm.attacks.Attack;
import org.acejvm.attacks.AttackResult;
import org.acejvm.attacks.AttackSession;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
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

    private Explainer(DifferentiableClassifier classifier, ImageMap filter, Attack attack, Refiner refiner, int batchSize,
                      NoiseSource noise, String method) {
        this.classifier = classifier;
        this.filter = filter;
        this.attack = attack;
        this.refiner = refiner;
        this.batchSize = batchSize;
        this.noise = noise;
        this.method = method;
    }

    /** A builder with the reference defaults: PGD (50 iterations, 1/255, eps 1, lambda1 0.001), no filter, Pre-CE. */
    public static Builder builder(DifferentiableClassifier classifier) { return new Builder(classifier); }

    public DifferentiableClassifier classifier() { return classifier; }
    public ImageMap filter() { return filter; }
    public Attack attack() { return attack; }
    public Refiner refiner() { return refiner; }
    public int batchSize() { return batchSize; }
    public String method() { return method; }

    /** Whether {@link #refine} changes anything (false for Pre-CE: the explanation is the pre-explanation). */
    public boolean refines() { return !(refiner instanceof IdentityRefiner); }

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
     * Each batch is {@link #attack attacked} and then {@link #refine refined}: the same two stages a stored run
     * calls one at a time.
     */
    public List<Explanation> explain(INDArray images, Targets targets, long[] sampleIds, int variants,
                                     ExplainListener listener) {
        if (variants < 1) throw new InvalidInputException.Range("variants: expected at least 1, got " + variants);
        ExplainListener events = listener == null ? ExplainListener.none() : listener;
        long[] ids = checkedIds(images, targets, sampleIds);
        int n = ids.length;
        for (int v = 0; v < variants; v++) noiseFor(v); // fails before any work when the noise cannot give variants
        List<Explanation> out = new ArrayList<>(n * variants);
        long done = 0;
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            INDArray batch = images.get(NDArrayIndex.interval(from, to)).dup();
            long[] batchIds = Arrays.copyOfRange(ids, from, to);
            List<List<Explanation>> perVariant = new ArrayList<>();
            for (int v = 0; v < variants; v++) {
                List<Explanation> pre = attackBatch(batch, targets.slice(from, to), batchIds, v, events);
                List<Explanation> r = refines() ? refineBatch(batch, pre) : pre;
                r.forEach(events::onExplanation);
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

    /**
     * Stage 1: the attack through the filter, in batches. Returns the pre-explanations as explanations of the
     * Pre-CE form (explanation = pre-explanation, the mask of this explainer's mask settings, labelled with this
     * explainer's method), variant 0.
     */
    public List<Explanation> attack(INDArray images, Targets targets, long[] sampleIds, ExplainListener listener) {
        ExplainListener events = listener == null ? ExplainListener.none() : listener;
        long[] ids = checkedIds(images, targets, sampleIds);
        List<Explanation> out = new ArrayList<>(ids.length);
        for (int from = 0; from < ids.length; from += batchSize) {
            int to = Math.min(ids.length, from + batchSize);
            List<Explanation> r = attackBatch(images.get(NDArrayIndex.interval(from, to)).dup(), targets.slice(from, to),
                    Arrays.copyOfRange(ids, from, to), 0, events);
            r.forEach(events::onExplanation);
            out.addAll(r);
            events.onProgress(out.size(), ids.length);
        }
        return out;
    }

    /**
     * Stage 2: this explainer's refiner applied to pre-explanations (from {@link #attack} of this explainer, or of one
     * with the same classifier, attack and filter, such as the Pre-CE form of the same method), in batches, with the
     * noise of each explanation's variant. {@code originals} holds the original of each, in the same order. Scores,
     * success and the attack's fields are carried over; the time is the attack's plus the refinement's.
     */
    public List<Explanation> refine(INDArray originals, List<Explanation> pre, ExplainListener listener) {
        Checks.rank(originals, 4, "originals");
        Checks.notNull(pre, "pre");
        Checks.sameCount(pre.size(), "pre-explanations", originals.size(0), "originals");
        ExplainListener events = listener == null ? ExplainListener.none() : listener;
        List<Explanation> out = new ArrayList<>(pre.size());
        int from = 0;
        while (from < pre.size()) {
            int to = from + 1;
            int variant = pre.get(from).variant();
            while (to < pre.size() && to - from < batchSize && pre.get(to).variant() == variant) to++;
            List<Explanation> r = refineBatch(originals.get(NDArrayIndex.interval(from, to)).dup(), pre.subList(from, to));
            r.forEach(events::onExplanation);
            out.addAll(r);
            events.onProgress(out.size(), pre.size());
            from = to;
        }
        return out;
    }

    private long[] checkedIds(INDArray images, Targets targets, long[] sampleIds) {
        Checks.rank(images, 4, "images");
        Checks.notNull(targets, "targets");
        int n = (int) images.size(0);
        long[] ids = sampleIds == null ? range(n) : sampleIds.clone();
        Checks.sameCount(ids.length, "sampleIds", n, "images");
        if (targets.count() >= 0) Checks.sameCount(targets.count(), "targets", n, "images");
        return ids;
    }

    private NoiseSource noiseFor(int variant) {
        if (variant == 0) return noise;
        if (noise instanceof SeededNoiseSource s) return s.variant(variant);
        throw new InvalidInputException("several explanations per image need a seeded noise source (NoiseSource.seeded), got "
                + noise);
    }

    /** One batch of stage 1. */
    private List<Explanation> attackBatch(INDArray images, Targets targets, long[] ids, int variant, ExplainListener events) {
        long start = System.nanoTime();
        if (session == null) session = attack.prepare(classifier, filter);
        AttackResult a = session.run(images, targets, ids, noiseFor(variant), e -> events.onIteration(variant, e));
        INDArray edited = Masks.changed(images, a.adversarial(), refiner.maskSettings());
        long nanos = (System.nanoTime() - start) / ids.length;
        List<Explanation> out = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            int source = a.sources()[i];
            int target = a.targeted() ? a.targets()[i] : -1;
            Scores afterAttack = Scores.of(a.probabilities(), i, source, target);
            ImageData pre = ImageData.row(a.adversarial(), i);
            out.add(new Explanation(ids[i], variant, method, source, target, pre, pre, ImageData.row(edited, i), null,
                    Scores.of(a.initialProbabilities(), i, source, target), afterAttack, afterAttack, a.reached()[i],
                    afterAttack.reaches(source, target), a.iterations()[i], nanos));
        }
        LOG.debug("attacked {} images (variant {}): {} ms, reached {}/{}", ids.length, variant, a.nanos() / 1_000_000,
                out.stream().filter(Explanation::attackSuccess).count(), ids.length);
        return out;
    }

    /** One batch of stage 2 (all of one variant). */
    private List<Explanation> refineBatch(INDArray originals, List<Explanation> pre) {
        long start = System.nanoTime();
        long[] ids = pre.stream().mapToLong(Explanation::sampleId).toArray();
        INDArray preImages = ImageData.stack(pre.stream().map(Explanation::preExplanation).toList());
        Refinement r = refiner.refine(originals, preImages, ids, noiseFor(pre.get(0).variant()));
        INDArray p = classifier.probabilities(r.explanation());
        INDArray edited = r.keep().rsub(1.0);
        long perImage = (System.nanoTime() - start) / ids.length;
        List<Explanation> out = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            Explanation e = pre.get(i);
            Scores after = Scores.of(p, i, e.source(), e.target());
            out.add(new Explanation(e.sampleId(), e.variant(), method, e.source(), e.target(), e.preExplanation(),
                    ImageData.row(r.explanation(), i), ImageData.row(edited, i),
                    r.noisyStart() == null ? null : ImageData.row(r.noisyStart(), i), e.before(), e.afterAttack(), after,
                    e.attackSuccess(), after.reaches(e.source(), e.target()), e.iterations(), e.nanos() + perImage));
        }
        return out;
    }

    private static long[] range(int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    @Override public String toString() {
        return "Explainer(" + method + ", " + attack.name() + ", filter " + filter + ", " + refiner + ", batch " + batchSize + ")";
    }

    /**
     * Builder of an {@link Explainer}; starts from the reference defaults. Every setter only records a choice and
     * {@link #build()} assembles the explainer, so the result does not depend on the order of the calls. Where a
     * {@link #preset} and an explicit setter both say something, the explicit setter wins.
     */
    public static final class Builder {
        private final DifferentiableClassifier classifier;
        private ImageMap filter;
        private Attack attack;
        private AttackSettings settings;
        private Refiner refiner;
        private Ablation ablation;
        private int batchSize = AttackSettings.REFERENCE_BATCH_SIZE;
        private NoiseSource noise = NoiseSource.seeded(0);
        private String method;
        private DiffusionModel model;
        private Double fraction;
        private AcePreset preset;
        private MaskSettings mask;
        private Integer inpaintingSteps;
        private int[] resampling; // {jumpLength, jumpCount} or null

        private Builder(DifferentiableClassifier classifier) {
            Checks.notNull(classifier, "classifier");
            this.classifier = classifier;
        }

        /** The filter the attack sees the classifier through (default: the diffusion model's, else the identity). */
        public Builder filter(ImageMap f) { Checks.notNull(f, "filter"); filter = f; return this; }

        /** The attack (default PGD); its own settings are kept unless {@link #attackSettings} or a preset gives some. */
        public Builder attack(Attack a) { Checks.notNull(a, "attack"); attack = a; return this; }

        /** The attack's settings (applied to whichever attack is chosen, whatever the call order). */
        public Builder attackSettings(AttackSettings s) { Checks.notNull(s, "settings"); settings = s; return this; }

        /** An explicit refiner; not together with {@link #ablation}. */
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

        /** The label stored in each result (default: the ablation's label, else the refiner's name). */
        public Builder method(String m) { method = m; return this; }

        /**
         * Full ACE with a diffusion model: the stochastic filter with S = int(fraction * K) steps for the attack, and
         * (unless another {@link #ablation} or refiner is chosen) the inpainting refinement.
         */
        public Builder diffusion(DiffusionModel m, double f) {
            Checks.notNull(m, "model");
            Checks.positive(f, "fraction");
            model = m;
            fraction = f;
            return this;
        }

        /**
         * Starts the inpainting refinement from {@code steps} respaced steps instead of the filter's S (the reference
         * uses one tau for both). Fewer steps re-generate less of the masked region, so less of the attack's change
         * is washed out: more flips, less realism.
         */
        public Builder inpaintingSteps(int steps) {
            if (steps < 1) throw new InvalidInputException.Range("inpaintingSteps: expected at least 1, got " + steps);
            inpaintingSteps = steps;
            return this;
        }

        /** Mask settings (of the inpainting, and of the mask every refiner reports). */
        public Builder mask(MaskSettings ms) { Checks.notNull(ms, "mask"); mask = ms; return this; }

        /** RePaint resampling in the inpainting refinement (jumpCount 1 is the reference). */
        public Builder resampling(int jumpLength, int jumpCount) {
            resampling = new int[] {jumpLength, jumpCount};
            return this;
        }

        /**
         * A complete setting: PGD with the preset's iterations, step, filter draws per iteration and class loss
         * (reference epsilon and lambda1; the class loss applies when no {@link #attack} is given), the preset's
         * filter fraction, mask and inpainting start; full ACE refinement. {@code model} should carry the preset's
         * schedule (see {@link AcePreset#diffusionModel}).
         */
        public Builder preset(AcePreset p, DiffusionModel m) {
            Checks.notNull(p, "preset");
            Checks.notNull(m, "model");
            if (m.numSteps() != p.respacing()) {
                LOG.warn("preset {} expects {} respaced steps, the model has {}", p.name(), p.respacing(), m.numSteps());
            }
            preset = p;
            model = m;
            return this;
        }

        /**
         * One of the paper's Table 5 variants, on the diffusion model of {@link #diffusion} or {@link #preset} (PRE_CE
         * needs none). F-CE's filter runs over the un-respaced schedule with S = int(fraction * T) steps (the UNet,
         * variance, clipping and timestep type of the model; timesteps not rescaled). Not together with {@link #refiner}.
         */
        public Builder ablation(Ablation a) { Checks.notNull(a, "ablation"); ablation = a; return this; }

        public Explainer build() {
            double f = fraction != null ? fraction : preset != null ? preset.fraction() : 0;
            MaskSettings ms = mask != null ? mask : preset != null ? preset.mask() : MaskSettings.reference();
            ImageMap map = filter != null ? filter : model != null ? DdpmFilter.ofFraction(model, f, true) : ImageMap.identity();
            if (map instanceof DiffusionFilter df && !df.imageSpec().equals(classifier.inputSpec())) {
                throw new InvalidInputException.Mismatch("the filter takes " + df.imageSpec() + " images, the classifier "
                        + classifier.inputSpec());
            }
            if (refiner != null && ablation != null) {
                throw new InvalidInputException("choose either refiner(...) or ablation(...), not both");
            }
            Ablation a = ablation != null ? ablation : model != null ? Ablation.ACE : Ablation.PRE_CE;
            Refiner r = refiner != null ? refiner : refinerOf(a, map, f, ms);
            if (resampling != null && !(r instanceof InpaintingRefiner)) {
                throw new InvalidInputException("resampling needs the inpainting refiner (ACE with a diffusion model), got " + r);
            }
            String label = method != null ? method : refiner != null ? refiner.name() : a.label();
            return new Explainer(classifier, map, attackOf(), r, batchSize, noise, label);
        }

        private Attack attackOf() {
            Attack a = attack != null ? attack
                    : preset != null ? Attacks.pgd(AttackSettings.defaults(), preset.classLoss()) : Attacks.pgd();
            AttackSettings s = settings;
            if (s == null && preset != null) {
                s = AttackSettings.builder().iterations(preset.iterations()).step(preset.step())
                        .filterSamples(preset.filterSamples()).build();
            }
            if (a.targetedOnly()) LOG.debug("{} is targeted only", a.name());
            return s == null ? a : a.withSettings(s);
        }

        private Refiner refinerOf(Ablation a, ImageMap map, double f, MaskSettings ms) {
            if (a != Ablation.PRE_CE && model == null) {
                throw new InvalidInputException(a.label() + " needs a diffusion model: call diffusion(...) or preset(...)");
            }
            return switch (a) {
                case PRE_CE -> Refiner.identity(ms);
                case FR_CE -> new FilterRefiner(map, a.label(), ms);
                // step by step: one graph of all int(fraction * T) UNet calls kept 14 GB at batch 8 (Fashion-MNIST, S = 50)
                case F_CE -> new FilterRefiner(DdpmFilter.ofFraction(unrespaced(model), f, true)
                        .withGradientMode(DdpmFilter.GradientMode.RECOMPUTE_PER_STEP), a.label(), ms);
                case ACE -> Refiner.inpainting(inpainter(f), ms);
            };
        }

        private Inpainter inpainter(double f) {
            Integer steps = inpaintingSteps != null ? inpaintingSteps : preset != null ? preset.inpaintingStart() : null;
            Inpainter in = steps == null ? Inpainter.ofFraction(model, f) : Inpainter.of(model, steps);
            return resampling == null ? in : in.withResampling(resampling[0], resampling[1]);
        }

        private static DiffusionModel unrespaced(DiffusionModel m) {
            return DiffusionModel.builder(m.unet(), m.imageSpec())
                    .schedule(m.spacedSchedule().base(), "")
                    .variance(m.variance())
                    .clipDenoised(m.clipDenoised())
                    .timestepType(m.timestepType())
                    .build();
        }
    }
}
