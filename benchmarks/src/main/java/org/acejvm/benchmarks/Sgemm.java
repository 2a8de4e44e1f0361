package org.acejvm.benchmarks;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J single-precision matrix-multiply rate: {@code Sgemm [n=2048] [reps=10]} prints
 * {@code SGEMM n=.. best_ms=.. gflops=..} (2 n^3 flops per product, best of reps after 3 warm-up products).
 */
public final class Sgemm {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Nd4j.getRandom().setSeed(1);
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n), b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        for (int i = 0; i < 3; i++) a.mmuli(b, c);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            a.mmuli(b, c);
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf(java.util.Locale.ROOT, "SGEMM n=%d best_ms=%.2f gflops=%.2f%n", n, best / 1e6, 2.0 * n * n * n / best);
        System.exit(0);
    }
}
