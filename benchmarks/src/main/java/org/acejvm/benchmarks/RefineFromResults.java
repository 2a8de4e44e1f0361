package org.acejvm.benchmarks;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.Inpainter;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.metrics.Fid;
import org.acejvm.metrics.SameDiffFeatures;
import org.acejvm.refine.Refinement;
import org.acejvm.refine.Refiner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Re-refines the pre-explanations that an {@code ace evaluate} run stored (a method's {@code results.jsonl}) with
 * ACE's inpainting started from several respaced steps, on the embedded models, and prints each flip rate and FID
 * (successful ones; features: the shipped classifier's penultimate layer, as in {@code ace evaluate}): the
 * refinement costs a fraction of a second per image, so its settings can be tuned on hundreds of stored attacks
 * without running them again. The seed is the run's (noise is keyed by sample id, so the default S reproduces the
 * stored ACE explanations).
 * {@code RefineFromResults <results.jsonl> <S,S,...> [batch] [seed]}.
 */
public final class RefineFromResults {
    private RefineFromResults() {}

    public static void main(String[] a) {
        if (a.length < 2) {
            System.err.println("usage: RefineFromResults <results.jsonl> <S,S,...> [batch] [seed]");
            System.exit(2);
        }
        List<Explanation> list = ExplanationJson.readLines(Path.of(a[0]));
        int batch = a.length > 2 ? Integer.parseInt(a[2]) : 50;
        long seed = a.length > 3 ? Long.parseLong(a[3]) : 0;
        int n = list.size();
        int[] idx = list.stream().mapToInt(e -> (int) e.sampleId()).toArray();
        long[] ids = list.stream().mapToLong(Explanation::sampleId).toArray();
        int[] targets = list.stream().mapToInt(Explanation::target).toArray();
        INDArray x = FashionMnist.load(FashionMnist.Split.TEST).images(idx);
        INDArray pre = Nd4j.stack(0, list.stream().map(e -> e.preExplanation().toINDArray()).toArray(INDArray[]::new));
        SameDiffClassifier c = EmbeddedDefault.classifier();
        DiffusionModel m = EmbeddedDefault.diffusionModel();
        SameDiffFeatures features = EmbeddedDefault.penultimateFeatures(c);
        INDArray originalFeatures = features.features(x);
        System.out.printf(Locale.ROOT, "%d stored explanations (%s); stored flip rate %.3f, pre-explanations %.3f%n", n,
                list.get(0).method(), list.stream().filter(Explanation::success).count() / (double) n,
                RefineTuning.rate(c.predict(pre), targets));
        for (String s : a[1].split(",")) {
            int steps = Integer.parseInt(s.trim());
            Refiner refiner = Refiner.inpainting(Inpainter.of(m, steps), EmbeddedDefault.MASK);
            long t0 = System.nanoTime();
            int[] predicted = new int[n];
            double change = 0;
            Fid fid = new Fid(null, true);
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                INDArray xb = x.get(NDArrayIndex.interval(from, to)).dup();
                INDArray pb = pre.get(NDArrayIndex.interval(from, to)).dup();
                Refinement r = refiner.refine(xb, pb, java.util.Arrays.copyOfRange(ids, from, to), NoiseSource.seeded(seed));
                int[] p = c.predict(r.explanation());
                System.arraycopy(p, 0, predicted, from, to - from);
                boolean[] ok = new boolean[to - from];
                for (int i = 0; i < ok.length; i++) ok[i] = p[i] == targets[from + i];
                fid.addFeatures(originalFeatures.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()),
                        features.features(r.explanation()), ok);
                change += r.explanation().sub(xb).norm1Number().doubleValue();
            }
            System.out.printf(Locale.ROOT, "inpainting from respaced step %d (S = %d): flip rate %.3f, FID %s, mean |change| %.4f, %.2f s per image%n",
                    steps - 1, steps, RefineTuning.rate(predicted, targets), fid.value(), change / x.length(),
                    (System.nanoTime() - t0) / 1e9 / n);
        }
    }
}
