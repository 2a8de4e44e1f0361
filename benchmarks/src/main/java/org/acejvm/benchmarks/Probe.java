package org.acejvm.benchmarks;

import org.acejvm.attacks.AttackSession;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.Targets;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.diffusion.DdpmFilter;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

public class Probe {
    static java.util.List<org.nd4j.autodiff.samediff.SameDiff> graphs = new java.util.ArrayList<>();
    static void attachAll(OpTimes ot) { for (var g : graphs) { g.addListeners(ot); if (g.getFunction("grad") != null) g.getFunction("grad").addListeners(ot);} }
    static Object field(Object o, String n) {
        try { var fl = o.getClass().getDeclaredField(n); fl.setAccessible(true); return fl.get(o); }
        catch (Exception e) { throw new RuntimeException(e); }
    }
    public static void main(String[] a) {
        int batch = Integer.parseInt(a[0]);
        int reps = Integer.parseInt(a[1]);
        SameDiffClassifier c = EmbeddedDefault.classifier();
        DiffusionModel m = EmbeddedDefault.diffusionModel();
        DdpmFilter f = EmbeddedDefault.filter(m);
        NoiseSource noise = NoiseSource.seeded(1);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 1, 32, 32);
        long[] ids = new long[batch];
        for (int i = 0; i < batch; i++) ids[i] = i;
        AttackSession s = Attacks.pgd(AttackSettings.builder().iterations(1).build()).prepare(c, f);
        OpTimes ot = new OpTimes();
        boolean prof = a.length > 2;
        for (int r = 0; r < reps; r++) {
            if (prof && r == reps - 1) {
                graphs.add(((org.acejvm.core.graph.DifferentiableGraph) field(f, "standalone")).sameDiff());
                Object obj = field(s, "objective");
                graphs.add(((org.acejvm.core.graph.DifferentiableGraph) field(obj, "graph")).sameDiff());
                attachAll(ot);
            }
            long t0 = System.nanoTime();
            f.filter(x, ids, r, noise);
            long t1 = System.nanoTime();
            if (prof && r == reps - 1) ot.print();
            s.run(x, Targets.of(3), ids, noise, null);
            long t2 = System.nanoTime();
            if (prof && r == reps - 1) ot.print();
            System.out.printf("batch %d: ftau fwd %.1f ms, attack step %.1f ms%n", batch, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
    }
}
