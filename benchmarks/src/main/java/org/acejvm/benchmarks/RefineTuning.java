package org.acejvm.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.acejvm.attacks.AttackResult;
import org.acejvm.attacks.AttackSession;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.Targets;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.Inpainter;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.refine.MaskSettings;
import org.acejvm.refine.Refinement;
import org.acejvm.refine.Refiner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mask settings of the embedded default: one PGD attack through F_tau (reference settings) on the first N correctly
 * classified test images, then the inpainting refinement with several dilation/threshold pairs; prints the flip rate
 * and the masked area of each. {@code RefineTuning N batch [diffusion.onnx]} (default: the embedded DDPM; another
 * ONNX, e.g. a training snapshot exported by scripts/export_fmnist_diffusion.py, to compare before shipping it).
 */
public final class RefineTuning {
    private RefineTuning() {}

    static int confusable(int c) {
        return new int[] {6, 3, 4, 0, 2, 7, 0, 5, 6, 7}[c];
    }

    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]), batch = Integer.parseInt(a[1]);
        SameDiffClassifier c = EmbeddedDefault.classifier();
        DiffusionModel m = a.length > 2
                ? EmbeddedDefault.diffusionModel(org.acejvm.core.onnx.OnnxModel.load(java.nio.file.Path.of(a[2])),
                        EmbeddedDefault.TIMESTEPS, EmbeddedDefault.RESPACING)
                : EmbeddedDefault.diffusionModel();
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST, 200);
        int[] pred = c.predict(test.images());
        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < test.size() && chosen.size() < n; i++) if (pred[i] == test.label(i)) chosen.add(i);
        int[] idx = chosen.stream().mapToInt(Integer::intValue).toArray();
        INDArray x = test.images(idx);
        long[] ids = new long[idx.length];
        int[] targets = new int[idx.length];
        for (int i = 0; i < idx.length; i++) { ids[i] = idx[i]; targets[i] = confusable(test.label(idx[i])); }
        NoiseSource noise = NoiseSource.seeded(0);
        AttackSession s = Attacks.pgd(AttackSettings.defaults()).prepare(c, EmbeddedDefault.filter(m));
        List<INDArray> advs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            INDArray xb = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)).dup();
            AttackResult r = s.run(xb, Targets.classes(java.util.Arrays.copyOfRange(targets, from, to)),
                    java.util.Arrays.copyOfRange(ids, from, to), noise, null);
            advs.add(r.adversarial());
        }
        INDArray adv = Nd4j.concat(0, advs.toArray(new INDArray[0]));
        System.out.printf(Locale.ROOT, "attack: %d images in %.1f s; pre-explanation flip rate %.3f%n", n,
                (System.nanoTime() - t0) / 1e9, rate(c.predict(adv), targets));
        Inpainter inp = EmbeddedDefault.inpainter(m);
        for (int[] jump : new int[][] {{1, 2}, {1, 4}, {2, 3}}) {
            Refinement r = Refiner.inpainting(inp.withResampling(jump[0], jump[1]), EmbeddedDefault.MASK).refine(x, adv, ids, noise);
            System.out.printf(Locale.ROOT, "RePaint jump length %d count %d (mask %s): flip rate %.3f%n", jump[0], jump[1],
                    EmbeddedDefault.MASK, rate(c.predict(r.explanation()), targets));
        }
        for (int s2 : new int[] {2, 3, 8}) {
            Refinement r = Refiner.inpainting(Inpainter.of(m, s2), EmbeddedDefault.MASK).refine(x, adv, ids, noise);
            System.out.printf(Locale.ROOT, "inpainting from respaced step %d (S=%d): flip rate %.3f%n", s2 - 1, s2,
                    rate(c.predict(r.explanation()), targets));
        }
        for (int dil : new int[] {3, 5, 15}) {
            for (double th : new double[] {0.15, 0.3, 0.5}) {
                Refinement r = Refiner.inpainting(inp, new MaskSettings(dil, th)).refine(x, adv, ids, noise);
                double area = r.keep().rsub(1.0).meanNumber().doubleValue();
                double change = r.explanation().sub(x).norm1Number().doubleValue() / x.length();
                System.out.printf(Locale.ROOT, "dilation %2d threshold %.2f: flip rate %.3f, edited area %.3f, mean |change| %.4f%n",
                        dil, th, rate(c.predict(r.explanation()), targets), area, change);
            }
        }
    }

    static double rate(int[] p, int[] t) {
        int k = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == t[i]) k++;
        return (double) k / p.length;
    }
}
