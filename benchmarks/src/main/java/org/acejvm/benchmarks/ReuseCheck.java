package org.acejvm.benchmarks;

import java.nio.file.Path;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.io.Npy;
import org.acejvm.diffusion.DdpmFilter;
import org.acejvm.examples.EmbeddedDefault;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Writes F_tau outputs and gradients of the shipped model (3 calls, batch 4) for comparing memory modes. */
public final class ReuseCheck {
    public static void main(String[] a) {
        DdpmFilter f = EmbeddedDefault.filter(EmbeddedDefault.diffusionModel());
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 32, 32);
        INDArray up = Nd4j.randn(DataType.FLOAT, 4, 1, 32, 32);
        long[] ids = {0, 1, 2, 3};
        for (int c = 0; c < 3; c++) {
            Npy.write(f.filter(x, ids, c, NoiseSource.seeded(1)), Path.of(a[0] + "_fwd" + c + ".npy"));
            DdpmFilter.Gradient g = f.gradient(x, up, ids, c, NoiseSource.seeded(1));
            Npy.write(g.output(), Path.of(a[0] + "_out" + c + ".npy"));
            Npy.write(g.gradient(), Path.of(a[0] + "_grad" + c + ".npy"));
        }
    }
}
