package org.acejvm.benchmarks;

import java.util.Map;
import org.acejvm.attacks.AttackSession;
import org.acejvm.attacks.AttackSettings;
import org.acejvm.attacks.Attacks;
import org.acejvm.attacks.Targets;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.graph.plan.PlanProfile;
import org.acejvm.diffusion.DdpmFilter;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.examples.EmbeddedDefault;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times one F_tau forward and one attack step of the shipped model (S = 5, as the benchmarks). Usage:
 * {@code Probe <batch> <reps>}; with {@code -Dace.plan.profile=true} it then prints the plan engine's time per step
 * kind over the last two repetitions (benchmarks/PROFILE.md).
 */
public final class Probe {
    public static void main(String[] a) {
        int batch = Integer.parseInt(a[0]);
        int reps = Integer.parseInt(a[1]);
        SameDiffClassifier c = EmbeddedDefault.classifier();
        DiffusionModel m = EmbeddedDefault.diffusionModel();
        DdpmFilter f = DdpmFilter.ofFraction(m, BenchModels.FRACTION, true);
        NoiseSource noise = NoiseSource.seeded(1);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 1, 32, 32);
        long[] ids = new long[batch];
        for (int i = 0; i < batch; i++) ids[i] = i;
        AttackSession s = Attacks.pgd(AttackSettings.builder().iterations(1).build()).prepare(c, f);
        for (int r = 0; r < reps; r++) {
            if (r == reps - 2) PlanProfile.reset();
            long t0 = System.nanoTime();
            f.filter(x, ids, r, noise);
            long t1 = System.nanoTime();
            s.run(x, Targets.of(3), ids, noise, null);
            long t2 = System.nanoTime();
            System.out.printf("batch %d: ftau fwd %.1f ms, attack step %.1f ms%n", batch, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
        Map<String, long[]> profile = PlanProfile.snapshot();
        if (profile.isEmpty()) return;
        long total = profile.values().stream().mapToLong(v -> v[0]).sum();
        System.out.printf("plan steps, per repetition (F_tau forward + attack step), %.1f ms in all:%n", total / 2e6);
        profile.entrySet().stream().sorted((p, q) -> Long.compare(q.getValue()[0], p.getValue()[0])).forEach(e ->
                System.out.printf("| `%s` | %.1f ms | %d | %.1f us |%n", e.getKey(), e.getValue()[0] / 2e6,
                        e.getValue()[1] / 2, e.getValue()[0] / 1e3 / e.getValue()[1]));
    }
}
