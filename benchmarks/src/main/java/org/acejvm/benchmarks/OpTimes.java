package org.acejvm.benchmarks;

import java.util.*;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.autodiff.functions.DifferentialFunction;

/** Aggregates wall time per op type between preOpExecution and opExecution. */
public class OpTimes extends BaseListener {
    final Map<String, long[]> t = new TreeMap<>();
    long start;
    @Override public boolean isActive(Operation operation) { return true; }
    @Override public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) { start = System.nanoTime(); }
    @Override public void opExecution(SameDiff sd, At at, org.nd4j.linalg.dataset.api.MultiDataSet mds, org.nd4j.autodiff.samediff.internal.SameDiffOp op, OpContext ctx, INDArray[] outputs) {
        long d = System.nanoTime() - start;
        String k = op.getOp().opName();
        if (k.equals("multiply_bp") || k.equals("conv2d") || k.equals("conv2d_bp") || k.equals("add_bp") || k.equals("_powderivative")) {
            StringBuilder sb = new StringBuilder(k);
            for (String in : op.getInputsToOp()) { INDArray arr = sd.getArrForVarName(in); sb.append(" ").append(arr == null ? "?" : java.util.Arrays.toString(arr.shape())); }
            k = sb.toString();
        }
        long[] v = t.computeIfAbsent(k, x -> new long[2]);
        v[0] += d; v[1]++;
    }
    public void print() {
        long tot = 0; long n = 0;
        for (long[] v : t.values()) { tot += v[0]; n += v[1]; }
        System.out.printf("total in ops %.1f ms, %d ops%n", tot / 1e6, n);
        t.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(45)
            .forEach(e -> System.out.printf("  %-28s %8.1f ms %6d%n", e.getKey(), e.getValue()[0] / 1e6, e.getValue()[1]));
        t.clear();
    }
}
