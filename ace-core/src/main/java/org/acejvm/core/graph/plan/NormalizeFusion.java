package org.acejvm.core.graph.plan;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;

/**
 * Finds the normalisation that the ONNX translator writes for GroupNorm, InstanceNorm and LayerNorm,
 *
 * <pre>
 *   m = mean(x, trailing axes, keep); d = x - m; v = mean(d * d, same axes, keep); r = rsqrt(v + eps);
 *   y = d * r   (or d * (zeros + r), the widened product)
 * </pre>
 *
 * and runs it as one Java kernel per row (two passes, sums in double) with a hand-written backward pass,
 * {@code dx = r * (g - mean(g) - y * mean(g * y))}, in place of 8-9 ND4J ops and their gradients. Matched only when
 * no other op reads the intermediate values.
 */
final class NormalizeFusion {
    private NormalizeFusion() {}

    /**
     * One matched normalisation: x, epsilon, its first op (the mean of x, whose axes it normalises over), its last
     * (the product giving y, where the fused step runs), all the graph ops it replaces, and d (x minus its mean,
     * x's shape), whose shape other ops may still ask for.
     */
    record Match(String x, double eps, DifferentialFunction start, DifferentialFunction end,
                 Set<DifferentialFunction> replaced, String d) {}

    /** The matches in {@code order}, keyed by the op that produces y (where the fused step runs). */
    static Map<DifferentialFunction, Match> find(List<DifferentialFunction> order, Set<String> keep) {
        Map<String, DifferentialFunction> producer = new HashMap<>();
        Map<String, List<DifferentialFunction>> readers = new HashMap<>();
        for (DifferentialFunction op : order) {
            for (String o : op.outputVariablesNames()) producer.put(o, op);
            Set<String> seen = new HashSet<>();
            for (String in : op.argNames()) if (seen.add(in)) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(op);
        }
        Map<DifferentialFunction, Match> out = new IdentityHashMap<>(); // ops' equals is not identity
        for (DifferentialFunction mul : order) {
            Match m = match(mul, producer, readers, keep);
            if (m != null) out.put(mul, m);
        }
        return out;
    }

    private static Match match(DifferentialFunction mul, Map<String, DifferentialFunction> producer,
                               Map<String, List<DifferentialFunction>> readers, Set<String> keep) {
        if (!mul.opName().equals("multiply") || mul.argNames().length != 2) return null;
        Set<DifferentialFunction> used = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int side = 0; side < 2; side++) {
            String dName = mul.argNames()[side], rName = mul.argNames()[1 - side];
            DifferentialFunction sub = producer.get(dName);
            if (sub == null || !sub.opName().equals("subtract")) continue;
            used = Collections.newSetFromMap(new IdentityHashMap<>());
            used.add(mul);
            used.add(sub);
            // r: rsqrt(v + eps), possibly widened by adding zeros
            DifferentialFunction rOp = producer.get(rName);
            if (rOp != null && rOp.opName().equals("add") && rOp.argNames().length == 2) {
                DifferentialFunction zeros = producer.get(rOp.argNames()[0]);
                if (zeros == null || !zeros.opName().equals("fill") || ((CustomOp) zeros).tArgs().length == 0
                        || ((CustomOp) zeros).tArgs()[0] != 0.0) continue;
                used.add(rOp);
                rOp = producer.get(rOp.argNames()[1]);
            }
            if (rOp == null || !rOp.opName().equals("rsqrt")) continue;
            used.add(rOp);
            DifferentialFunction addEps = producer.get(rOp.argNames()[0]);
            if (addEps == null || !addEps.opName().equals("add_scalar")) continue;
            used.add(addEps);
            DifferentialFunction mean2 = producer.get(addEps.argNames()[0]);
            if (!keptMean(mean2)) continue;
            used.add(mean2);
            DifferentialFunction square = producer.get(mean2.argNames()[0]);
            if (square == null || !square.opName().equals("multiply") || !square.argNames()[0].equals(dName)
                    || !square.argNames()[1].equals(dName)) continue;
            used.add(square);
            String x = sub.argNames()[0];
            DifferentialFunction mean1 = producer.get(sub.argNames()[1]);
            if (!keptMean(mean1) || !mean1.argNames()[0].equals(x)) continue;
            used.add(mean1);
            long[] d1 = ((ReduceOp) mean1).dimensions().toLongVector(), d2 = ((ReduceOp) mean2).dimensions().toLongVector();
            if (!Arrays.equals(d1, d2)) continue;
            // nothing outside the pattern reads its intermediates
            boolean closed = true;
            for (DifferentialFunction op : used) {
                if (op == mul) continue;
                for (String o : op.outputVariablesNames()) {
                    if (keep.contains(o)) closed = false;
                    for (DifferentialFunction r : readers.getOrDefault(o, List.of())) {
                        // the translator's zeros take their shape from d, which is x's shape: CompiledGraph reads x there
                        closed &= used.contains(r) || r.opName().equals("shape_of") && o.equals(dName);
                    }
                }
            }
            if (!closed) continue;
            double eps = ((ScalarOp) addEps).scalar().getDouble(0);
            return new Match(x, eps, mean1, mul, Collections.unmodifiableSet(used), dName);
        }
        return null;
    }

    private static boolean keptMean(DifferentialFunction op) {
        return op != null && op.opName().equals("reduce_mean") && op instanceof ReduceOp r && r.isKeepDims()
                && op.argNames().length == 1 && r.dimensions() != null;
    }

    /** y = (x - mean) * rstd per row of {@code inner} elements; rstd kept for the backward pass. */
    static Runnable forward(INDArray x, INDArray y, INDArray rstd, int inner, double eps) {
        FloatBuffer fx = FloatLoops.of(x), fy = FloatLoops.of(y), fr = FloatLoops.of(rstd);
        int rows = (int) rstd.length();
        Runnable vector = JavaKernels.normalize(fx, fy, fr, rows, inner, eps);
        if (vector != null) return vector;
        return () -> FloatLoops.parallelRows(rows, inner, (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * inner;
                double sum = 0;
                for (int j = 0; j < inner; j++) sum += fx.get(base + j);
                float mean = (float) (sum / inner);
                double sq = 0;
                for (int j = 0; j < inner; j++) {
                    float d = fx.get(base + j) - mean;
                    sq += d * d;
                }
                float s = (float) (1.0 / Math.sqrt((float) (sq / inner) + eps));
                fr.put(r, s);
                for (int j = 0; j < inner; j++) fy.put(base + j, (fx.get(base + j) - mean) * s);
            }
        });
    }

    /** dx = rstd * (g - mean(g) - y * mean(g * y)) per row. */
    static Runnable backward(INDArray y, INDArray rstd, INDArray g, INDArray dx, int inner) {
        FloatBuffer fy = FloatLoops.of(y), fr = FloatLoops.of(rstd), fg = FloatLoops.of(g), fo = FloatLoops.of(dx);
        int rows = (int) rstd.length();
        Runnable vector = JavaKernels.normalizeGradient(fy, fr, fg, fo, rows, inner);
        if (vector != null) return vector;
        return () -> FloatLoops.parallelRows(rows, inner, (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * inner;
                double sg = 0, sgy = 0;
                for (int j = 0; j < inner; j++) {
                    float gv = fg.get(base + j);
                    sg += gv;
                    sgy += gv * fy.get(base + j);
                }
                float mg = (float) (sg / inner), mgy = (float) (sgy / inner), s = fr.get(r);
                for (int j = 0; j < inner; j++) fo.put(base + j, s * (fg.get(base + j) - mg - fy.get(base + j) * mgy));
            }
        });
    }
}
