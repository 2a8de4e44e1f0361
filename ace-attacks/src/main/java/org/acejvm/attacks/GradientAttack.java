package org.acejvm.attacks;

import java.util.Arrays;
import org.acejvm.core.AceException;
import org.acejvm.core.Checks;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.graph.ImageMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one iterative gradient attack loop. What varies between PGD, GD, FGSM, C&amp;W, Adam and latent-code attacks is
 * configuration: the {@link StepRule}, the {@link SearchSpace}, the {@link ClassLoss} and the settings' penalties and
 * step schedule (see {@link Attacks} for the named ones).
 *
 * <p>Each iteration: one forward and backward pass of the {@link Objective} graph at the current search value,
 * a per-iteration event, the optional per-sample early stop, then the step (of the {@link StepSchedule}) and the
 * constraint (projection and clamping); with {@link AttackSettings#filterSamples()} k &gt; 1 the pass is k passes
 * with k noise draws of the map, averaged ({@link FilterDraws}). The loop owns the bookkeeping: targets, the untargeted sign, the distance
 * and step schedules, per-sample noise feeds keyed by sample id and iteration, samples that leave early, and the
 * final scores.
 */
public final class GradientAttack implements Attack {
    private static final Logger LOG = LoggerFactory.getLogger(GradientAttack.class);

    private final String name;
    private final AttackSettings settings;
    private final StepRule rule;
    private final SearchSpace space;
    private final ClassLoss classLoss;
    private final boolean targetedOnly;

    public GradientAttack(String name, AttackSettings settings, StepRule rule, SearchSpace space, ClassLoss classLoss,
                          boolean targetedOnly) {
        Checks.notNull(name, "name");
        Checks.notNull(settings, "settings");
        Checks.notNull(rule, "rule");
        Checks.notNull(space, "space");
        Checks.notNull(classLoss, "classLoss");
        this.name = name;
        this.settings = settings;
        this.rule = rule;
        this.space = space;
        this.classLoss = classLoss;
        this.targetedOnly = targetedOnly;
        if (!space.usesEpsilon() && settings.epsilon() < 1.0) {
            LOG.warn("{} searches {} which has no epsilon bound: epsilon {} is ignored", name, space, settings.epsilon());
        }
    }

    @Override public String name() { return name; }
    @Override public AttackSettings settings() { return settings; }
    @Override public boolean targetedOnly() { return targetedOnly; }
    public StepRule rule() { return rule; }
    public SearchSpace space() { return space; }
    public ClassLoss classLoss() { return classLoss; }

    /** The same attack with other settings. */
    @Override
    public GradientAttack withSettings(AttackSettings newSettings) {
        return new GradientAttack(name, newSettings, rule, space, classLoss, targetedOnly);
    }

    /** The same attack with another class loss. */
    public GradientAttack withClassLoss(ClassLoss newLoss) {
        return new GradientAttack(name, settings, rule, space, newLoss, targetedOnly);
    }

    @Override
    public AttackSession prepare(DifferentiableClassifier classifier, ImageMap map) {
        Checks.notNull(classifier, "classifier");
        Checks.notNull(map, "map");
        return new Session(classifier, map);
    }

    @Override public String toString() {
        return name + "(" + settings + ", " + rule + ", " + space + ", " + classLoss + ")";
    }

    private final class Session implements AttackSession {
        private final DifferentiableClassifier classifier;
        private final ImageMap map;
        private final Objective objective;
        private final FilterDraws draws;

        Session(DifferentiableClassifier classifier, ImageMap map) {
            this.classifier = classifier;
            this.map = map;
            this.objective = new Objective(classifier, map, space, classLoss, settings.allPenalties());
            this.draws = new FilterDraws(objective, map, settings.filterSamples(), classifier.singleLogit());
        }

        @Override public Attack attack() { return GradientAttack.this; }
        @Override public DifferentiableClassifier classifier() { return classifier; }
        @Override public ImageMap map() { return map; }

        @Override
        public AttackResult run(INDArray images, Targets targets, long[] sampleIds, NoiseSource noise,
                                AttackListener listener) {
            Checks.images(images, classifier.inputSpec(), "images");
            Checks.notNull(targets, "targets");
            int n = (int) images.size(0);
            long[] ids = sampleIds == null ? range(n) : sampleIds.clone();
            Checks.sameCount(ids.length, "sampleIds", n, "images");
            if (!map.isIdentity()) Checks.notNull(noise, "noise");
            if (targetedOnly && !targets.targeted()) {
                throw new InvalidInputException(name + " is a targeted attack; got " + targets);
            }
            AttackListener events = listener == null ? AttackListener.none() : listener;
            boolean targeted = targets.targeted();
            int k = classifier.numClasses();
            long start = System.nanoTime();

            INDArray x0 = images.castTo(DataType.FLOAT).dup('c');
            INDArray p0 = classifier.probabilities(x0);
            int[] sources = argmax(p0);
            int[] goals = targets.resolve(sources, k);
            double classScale = (targeted ? 1.0 : -1.0) / (classLoss.averaged() ? settings.lossBatchSize() : 1);

            int iterations = settings.iterations();
            int[] spent = new int[n];
            Arrays.fill(spent, iterations);
            INDArray s0 = space.start(x0, ids);
            long per = s0.length() / n;
            float[] finalSearch = new float[(int) (n * per)];

            int[] active = rangeInt(n);
            INDArray s = s0;
            INDArray x = x0;
            INDArray starts = s0;
            INDArray enc = encode(goals);
            long[] activeIds = ids;
            StepRule.Stepper stepper = rule.start(s.shape());
            for (int i = 0; i < iterations; i++) {
                double weight = settings.schedule().weight(i, iterations);
                FilterDraws.Mean ev = draws.evaluate(s, x, starts, enc, classScale, weight, activeIds, i, noise);
                INDArray grad = ev.gradient();
                if (!Double.isFinite(ev.loss()) || !Double.isFinite(grad.sumNumber().doubleValue())) {
                    throw new AceException(name + ": the objective or its gradient became non-finite at iteration " + i
                            + " (loss " + ev.loss() + ")");
                }
                float[][] probs = ev.probabilities();
                double[] goalP = new double[active.length];
                for (int r = 0; r < active.length; r++) {
                    int a = active[r];
                    goalP[r] = targeted ? probs[r][goals[a]] : 1.0 - probs[r][sources[a]];
                }
                events.onIteration(new AttackIteration(i, iterations, activeIds.clone(), ev.loss(),
                        toDouble(ev.classLoss()), goalP, weight));

                if (settings.stopRule().active()) {
                    int[] keep = new int[active.length];
                    int kept = 0;
                    float[] sv = null;
                    for (int r = 0; r < active.length; r++) {
                        int a = active[r];
                        if (settings.stopRule().reached(probs[r], sources[a], goals[a], targeted)) {
                            if (sv == null) sv = Floats.of(s);
                            System.arraycopy(sv, (int) (r * per), finalSearch, (int) (a * per), (int) per);
                            spent[a] = i;
                        } else {
                            keep[kept++] = r;
                        }
                    }
                    if (kept == 0) {
                        active = new int[0];
                        break;
                    }
                    if (kept < active.length) {
                        keep = Arrays.copyOf(keep, kept);
                        s = Floats.rows(s, keep);
                        x = Floats.rows(x, keep);
                        starts = Floats.rows(starts, keep);
                        enc = Floats.rows(enc, keep);
                        grad = Floats.rows(grad, keep);
                        activeIds = Floats.rows(activeIds, keep);
                        active = Floats.rows(active, keep);
                        stepper.retain(keep);
                    }
                }
                s = stepper.next(s, grad, i, settings.stepSchedule().step(settings.step(), i));
                s = space.constrain(s, x, settings);
            }
            if (active.length > 0) {
                float[] sv = Floats.of(s);
                for (int r = 0; r < active.length; r++) {
                    System.arraycopy(sv, (int) (r * per), finalSearch, (int) (active[r] * per), (int) per);
                }
            }
            INDArray search = Floats.create(finalSearch, s0.shape());
            INDArray adversarial = space.toImage(search);
            INDArray p = classifier.probabilities(adversarial);
            int[] predicted = argmax(p);
            boolean[] reached = new boolean[n];
            for (int b = 0; b < n; b++) reached[b] = targeted ? predicted[b] == goals[b] : predicted[b] != sources[b];
            return new AttackResult(adversarial, sources, goals, targeted, p0, p, reached, spent,
                    System.nanoTime() - start, search, s0);
        }

        /** One-hot rows [n, K], or the 0/1 target [n, 1] of a single-logit classifier. */
        private INDArray encode(int[] goals) {
            int n = goals.length;
            if (classifier.singleLogit()) {
                float[] t = new float[n];
                for (int b = 0; b < n; b++) t[b] = goals[b];
                return Nd4j.create(t, new long[] {n, 1}, DataType.FLOAT);
            }
            int k = classifier.numClasses();
            float[] t = new float[n * k];
            for (int b = 0; b < n; b++) t[b * k + goals[b]] = 1f;
            return Nd4j.create(t, new long[] {n, k}, DataType.FLOAT);
        }
    }

    static int[] argmax(INDArray p) {
        float[][] r = rows(p);
        int[] out = new int[r.length];
        for (int b = 0; b < r.length; b++) {
            int best = 0;
            for (int c = 1; c < r[b].length; c++) if (r[b][c] > r[b][best]) best = c;
            out[b] = best;
        }
        return out;
    }

    static float[][] rows(INDArray m) {
        int n = (int) m.size(0);
        int k = (int) m.size(1);
        float[] v = Floats.of(m);
        float[][] out = new float[n][k];
        for (int b = 0; b < n; b++) System.arraycopy(v, b * k, out[b], 0, k);
        return out;
    }

    private static double[] toDouble(INDArray a) {
        float[] f = Floats.of(a);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static long[] range(int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    private static int[] rangeInt(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
