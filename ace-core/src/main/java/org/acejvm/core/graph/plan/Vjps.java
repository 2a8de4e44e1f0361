package org.acejvm.core.graph.plan;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;

/** The registry of input gradients by op name; ops without an entry keep a graph on SameDiff. */
final class Vjps {
    private static final Map<String, Vjp> BY_NAME = new HashMap<>();

    static {
        // element-wise, broadcasting
        BY_NAME.put("add", (n, k, g, t, s) -> sumTo(g, t));
        BY_NAME.put("subtract", (n, k, g, t, s) -> k == 0 ? sumTo(g, t) : then(sumTo(g, t), negate(t)));
        BY_NAME.put("multiply", (n, k, g, t, s) -> product(g, n.in()[1 - k], t, s));
        BY_NAME.put("divide", Vjps::divide);
        // scalar ops
        BY_NAME.put("add_scalar", (n, k, g, t, s) -> copy(g, t));
        BY_NAME.put("sub_scalar", (n, k, g, t, s) -> copy(g, t));
        BY_NAME.put("mul_scalar", (n, k, g, t, s) -> scale(g, t, scalar(n.op())));
        BY_NAME.put("div_scalar", (n, k, g, t, s) -> scale(g, t, 1.0 / scalar(n.op())));
        BY_NAME.put("relu", (n, k, g, t, s) -> {
            float cut = (float) scalar(n.op());
            return FloatLoops.map2(n.in()[0], g, t, (x, gy) -> x > cut ? gy : 0f);
        });
        // unary, from the input or the output
        BY_NAME.put("swish", (n, k, g, t, s) -> {
            Runnable vector = JavaKernels.siluGradient(n.in()[0], g, t);
            if (vector != null) return vector;
            INDArray sigmoid = s.get(g.shape(), 2);
            return then(OpCall.of(new Sigmoid(), new INDArray[] {n.in()[0]},
                    new INDArray[] {sigmoid}), FloatLoops.swishGradient(n.in()[0], sigmoid, g, t));
        });
        BY_NAME.put("sigmoid", (n, k, g, t, s) -> FloatLoops.map2(n.out()[0], g, t, (y, gy) -> gy * y * (1f - y)));
        BY_NAME.put("tanh", (n, k, g, t, s) -> FloatLoops.map2(n.out()[0], g, t, (y, gy) -> gy * (1f - y * y)));
        BY_NAME.put("rsqrt", (n, k, g, t, s) -> FloatLoops.map2(n.out()[0], g, t, (y, gy) -> gy * -0.5f * y * y * y));
        BY_NAME.put("sqrt", (n, k, g, t, s) -> FloatLoops.map2(n.out()[0], g, t, (y, gy) -> gy * 0.5f / y));
        BY_NAME.put("exp", (n, k, g, t, s) -> FloatLoops.map2(n.out()[0], g, t, (y, gy) -> gy * y));
        BY_NAME.put("log", (n, k, g, t, s) -> FloatLoops.map2(n.in()[0], g, t, (x, gy) -> gy / x));
        BY_NAME.put("abs", (n, k, g, t, s) -> FloatLoops.map2(n.in()[0], g, t, (x, gy) -> x > 0 ? gy : x < 0 ? -gy : 0f));
        BY_NAME.put("neg", (n, k, g, t, s) -> then(copy(g, t), negate(t)));
        BY_NAME.put("ClipByValue", (n, k, g, t, s) -> {
            double[] a = ((CustomOp) n.op()).tArgs();
            float lo = (float) a[0], hi = (float) a[1];
            return FloatLoops.map2(n.in()[0], g, t, (x, gy) -> x > lo && x < hi ? gy : 0f);
        });
        // same values, other shape
        for (String name : new String[] {"identity", "reshape", "squeeze", "expand_dims"}) {
            BY_NAME.put(name, (n, k, g, t, s) -> k == 0 ? copy(g, t) : null);
        }
        // the rest: reductions, shapes, neural ops
        StructuralVjps.register(BY_NAME);
    }

    private Vjps() {}

    static Vjp of(String opName) { return BY_NAME.get(opName); }

    private static final Set<String> PASS_THROUGH = Set.of("add", "add_scalar", "sub_scalar",
            "identity", "reshape", "squeeze", "expand_dims");

    /** True when input k's gradient equals the output gradient g, element for element (no step needed). */
    static boolean passesThrough(Vjp.Node n, int k, INDArray g) {
        String name = n.op().opName();
        INDArray x = n.in()[k];
        if (x.length() != g.length()) return false;
        if (name.equals("add") || name.equals("subtract") && k == 0) return Arrays.equals(x.shape(), g.shape());
        return PASS_THROUGH.contains(name);
    }

    private static final Set<String> READS_NOTHING = Set.of("add", "subtract", "add_scalar", "sub_scalar",
            "mul_scalar", "div_scalar", "neg", "identity", "reshape", "squeeze", "expand_dims", "concat", "permute",
            "transpose");
    private static final Set<String> READS_OUTPUT = Set.of("sigmoid", "tanh", "rsqrt", "sqrt", "exp",
            "softmax");

    /**
     * The values that the gradient of input k reads when the backward pass runs: indices into the node's inputs,
     * then (from {@code in().length} on) its outputs. Shapes are always known; this is about values, so that the
     * forward pass can lend every other array to later values.
     */
    static int[] reads(Vjp.Node n, int k) {
        String name = n.op().opName();
        int nIn = n.in().length;
        if (READS_NOTHING.contains(name)) return new int[0];
        if (READS_OUTPUT.contains(name)) return new int[] {nIn};
        return switch (name) {
            case "multiply" -> new int[] {1 - k};
            case "divide" -> k == 0 ? new int[] {1} : new int[] {1, nIn};
            case "conv2d" -> StructuralVjps.deconvolves(n) ? new int[] {1} : IntStream.range(0, nIn).toArray();
            default -> IntStream.range(0, nIn + n.out().length).toArray(); // everything
        };
    }

    static double scalar(DifferentialFunction op) { return ((ScalarOp) op).scalar().getDouble(0); }

    static Runnable then(Runnable a, Runnable b) {
        if (a == null || b == null) return null;
        return () -> {
            a.run();
            b.run();
        };
    }

    /** target = src (same number of elements, any shapes). */
    static Runnable copy(INDArray src, INDArray target) {
        if (src.length() != target.length()) return null;
        FloatBuffer from = FloatLoops.of(src), to = FloatLoops.of(target);
        return () -> {
            from.rewind();
            to.rewind();
            to.put(from);
        };
    }

    static Runnable negate(INDArray t) { return scale(t, t, -1.0); }

    static Runnable scale(INDArray src, INDArray target, double factor) {
        float f = (float) factor;
        FloatBuffer from = FloatLoops.of(src), to = FloatLoops.of(target);
        int n = (int) target.length();
        return () -> {
            for (int i = 0; i < n; i++) to.put(i, from.get(i) * f);
        };
    }

    /** target = src summed over the axes along which target's shape was broadcast to src's. */
    static Runnable sumTo(INDArray src, INDArray target) {
        long[] g = src.shape(), t = target.shape();
        if (Arrays.equals(g, t)) return copy(src, target);
        if (t.length > g.length) return null;
        long[] padded = new long[g.length];
        Arrays.fill(padded, 1);
        System.arraycopy(t, 0, padded, g.length - t.length, t.length);
        long[] dims = new long[g.length];
        int nd = 0;
        for (int i = 0; i < g.length; i++) {
            if (padded[i] == g[i]) continue;
            if (padded[i] != 1) return null;
            dims[nd++] = i;
        }
        if (nd == 0) return copy(src, target);
        INDArray view = target.reshape('c', padded);
        return OpCall.custom("reduce_sum", Arrays.copyOf(dims, nd), null, new boolean[] {true}, new INDArray[] {src}, view);
    }

    /** target = sumTo(g * other): the gradient of one factor of a broadcasting product. */
    static Runnable product(INDArray g, INDArray other, INDArray target, Scratch scratch) {
        if (Arrays.equals(target.shape(), g.shape())) {
            return OpCall.custom("multiply", null, null, null, new INDArray[] {g, other}, target);
        }
        INDArray tmp = scratch.get(g.shape(), 0);
        return then(OpCall.custom("multiply", null, null, null, new INDArray[] {g, other}, tmp), sumTo(tmp, target));
    }

    /** a / b: d/da = g / b, d/db = -g * (a / b) / b. */
    private static Runnable divide(Vjp.Node n, int k, INDArray g, INDArray t, Scratch s) {
        INDArray b = n.in()[1];
        INDArray tmp = s.get(g.shape(), 0);
        if (k == 0) {
            return then(OpCall.custom("divide", null, null, null, new INDArray[] {g, b}, tmp), sumTo(tmp, t));
        }
        INDArray tmp2 = s.get(g.shape(), 1);
        return then(then(OpCall.custom("multiply", null, null, null, new INDArray[] {g, n.out()[0]}, tmp),
                        OpCall.custom("divide", null, null, null, new INDArray[] {tmp, b}, tmp2)),
                then(sumTo(tmp2, t), negate(t)));
    }
}
