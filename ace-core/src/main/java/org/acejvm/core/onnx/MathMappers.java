package org.acejvm.core.onnx;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element-wise maths, activations, matrix products and reductions: unary functions, Add/Sub/Mul/Div/Pow/Max/Min/Sum
 * (numpy broadcasting; constant scalars become one scalar op), MatMul, Gemm, Einsum, Softmax, LogSoftmax,
 * ReduceMean/Sum/Max/Min.
 */
final class MathMappers {
    private MathMappers() {}

    @FunctionalInterface
    private interface Unary extends BiFunction<NodeContext, SDVariable, SDVariable> {}

    /** Unary element-wise functions: op type -> (context, x) -> y. */
    private static final Map<String, Unary> UNARY = new LinkedHashMap<>();

    static {
        UNARY.put("Relu", (c, x) -> c.sd.nn().relu(c.out(), x, 0));
        UNARY.put("Sigmoid", (c, x) -> c.sd.nn().sigmoid(c.out(), x));
        UNARY.put("Tanh", (c, x) -> c.sd.math().tanh(c.out(), x));
        UNARY.put("Exp", (c, x) -> c.sd.math().exp(c.out(), x));
        UNARY.put("Log", (c, x) -> c.sd.math().log(c.out(), x));
        UNARY.put("Sqrt", (c, x) -> c.sd.math().sqrt(c.out(), x));
        UNARY.put("Neg", (c, x) -> c.sd.math().neg(c.out(), x));
        UNARY.put("Abs", (c, x) -> c.sd.math().abs(c.out(), x));
        UNARY.put("Sin", (c, x) -> c.sd.math().sin(c.out(), x));
        UNARY.put("Cos", (c, x) -> c.sd.math().cos(c.out(), x));
        UNARY.put("Erf", (c, x) -> c.sd.math().erf(c.out(), x));
        UNARY.put("Reciprocal", (c, x) -> c.sd.math().reciprocal(c.out(), x));
        UNARY.put("Softplus", (c, x) -> c.sd.nn().softplus(c.out(), x));
        UNARY.put("LeakyRelu", (c, x) -> c.sd.nn().leakyRelu(c.out(), x, c.attrFloat("alpha", 0.01)));
        UNARY.put("Elu", MathMappers::elu);
        UNARY.put(Fusions.SWISH, (c, x) -> c.sd.nn().swish(c.out(), x)); // fused Mul(x, Sigmoid(x))
    }

    static void register(OpRegistry r) {
        UNARY.forEach((type, f) -> r.op(type, ctx -> {
            if (!INTEGER_UNARY.contains(type)) floatInput(ctx, 0);
            return List.of(ctx.dyn(f.apply(ctx, ctx.var(0)), ctx.shape(0)));
        }));
        r.op("Clip", MathMappers::clip)
                .op("HardSigmoid", ctx -> List.of(ctx.dyn(hardSigmoid(ctx, ctx.out(), ctx.var(0),
                        ctx.attrFloat("alpha", 0.2), ctx.attrFloat("beta", 0.5)), ctx.shape(0))))
                .op("HardSwish", ctx -> List.of(ctx.dyn(ctx.var(0).mul(ctx.out(),
                        hardSigmoid(ctx, ctx.tmp(), ctx.var(0), 1.0 / 6, 0.5)), ctx.shape(0))))
                .op("Add", ctx -> binary(ctx, "Add"))
                .op("Sub", ctx -> binary(ctx, "Sub"))
                .op("Mul", ctx -> binary(ctx, "Mul"))
                .op("Div", MathMappers::div)
                .op("Max", ctx -> variadic(ctx, "Max"))
                .op("Min", ctx -> variadic(ctx, "Min"))
                .op("Sum", ctx -> variadic(ctx, "Add"))
                .op("Pow", MathMappers::pow)
                .op("MatMul", MathMappers::matMul)
                .op("Gemm", MathMappers::gemm)
                .op("Einsum", Einsum::map)
                .op("Softmax", ctx -> softmax(ctx, false))
                .op("LogSoftmax", ctx -> softmax(ctx, true))
                .op("ReduceMean", ctx -> reduce(ctx, "mean"))
                .op("ReduceSum", ctx -> reduce(ctx, "sum"))
                .op("ReduceMax", ctx -> reduce(ctx, "max"))
                .op("ReduceMin", ctx -> reduce(ctx, "min"));
    }

    /** The unary operators ONNX also defines on integers; the others take floating-point tensors only. */
    private static final java.util.Set<String> INTEGER_UNARY = java.util.Set.of("Relu", "Neg", "Abs");

    /**
     * Refuses an integer input i of an operator defined on floating-point tensors only: the native library runs such
     * ops on integers too, and an integer Reciprocal of 0 (a constant folded at import) traps with SIGFPE.
     */
    private static void floatInput(NodeContext ctx, int i) {
        if (!ctx.isSym(i) && !ctx.isFloat(i)) {
            throw ctx.invalid("input " + i + " is an integer tensor; " + ctx.opType() + " takes floating-point tensors");
        }
    }

    private static SDVariable elu(NodeContext c, SDVariable x) {
        double alpha = c.attrFloat("alpha", 1.0);
        if (Math.abs(alpha - 1.0) > 1e-12) throw c.unsupported("Elu with alpha " + alpha + " (only 1.0)");
        return c.sd.nn().elu(c.out(), x);
    }

    /** max(0, min(1, alpha x + beta)) (ONNX HardSigmoid; HardSwish is x times it with alpha 1/6). */
    private static SDVariable hardSigmoid(NodeContext c, String name, SDVariable x, double alpha, double beta) {
        return c.sd.math().clipByValue(name, x.mul(c.tmp(), alpha).add(c.tmp(), beta), 0, 1);
    }

    private static List<Value> clip(NodeContext ctx) {
        double lo = -Double.MAX_VALUE, hi = Double.MAX_VALUE;
        if (ctx.opset() >= 11) {
            if (ctx.has(1)) lo = ctx.scalar(1, "min");
            if (ctx.has(2)) hi = ctx.scalar(2, "max");
        } else {
            lo = ctx.attrFloat("min", lo);
            hi = ctx.attrFloat("max", hi);
        }
        SDVariable x = ctx.var(0);
        SDVariable y = lo == 0 && hi == Double.MAX_VALUE ? ctx.sd.nn().relu(ctx.out(), x, 0)
                : ctx.sd.math().clipByValue(ctx.out(), x, lo, hi);
        return List.of(ctx.dyn(y, ctx.shape(0)));
    }

    // ---- binary, numpy broadcasting ----

    /** Input i as a variable of rank {@code rank} (leading 1s added; constants reshaped once at import). */
    static SDVariable aligned(NodeContext ctx, int i, int rank) {
        Dim[] s = ctx.shape(i);
        if (s.length == rank) return ctx.var(i);
        Dim[] padded = new Dim[rank];
        for (int k = 0; k < rank; k++) padded[k] = k < rank - s.length ? Dim.of(1) : s[k - (rank - s.length)];
        if (ctx.isConst(i)) {
            INDArray a = ctx.constant(i, "operand");
            long[] shape = Shapes.values(padded);
            return ctx.shared(ctx.keyOf(i, "rank" + rank), () -> a.reshape(shape));
        }
        return ctx.sd.reshape(ctx.tmp(), ctx.var(i), Shapes.forReshape(padded));
    }

    private static boolean scalarConst(NodeContext ctx, int i) {
        return ctx.isConst(i) && ctx.constant(i, "operand").length() == 1;
    }

    static List<Value> binary(NodeContext ctx, String op) {
        if (ctx.isSym(0) || ctx.isSym(1)) return List.of(symbolic(ctx, op));
        Dim[] a = ctx.shape(0), b = ctx.shape(1);
        Dim[] out = Shapes.broadcast(a, b);
        String name = ctx.out();
        if (scalarConst(ctx, 1) && Arrays.equals(out, a) && ctx.isFloat(0)) {
            double c = ctx.scalar(1, "operand");
            SDVariable x = ctx.var(0);
            switch (op) {
                case "Add": return List.of(ctx.dyn(x.add(name, c), out));
                case "Sub": return List.of(ctx.dyn(x.sub(name, c), out));
                case "Mul": return List.of(ctx.dyn(x.mul(name, c), out));
                case "Div": return List.of(ctx.dyn(x.div(name, c), out));
                default: break;
            }
        }
        if (scalarConst(ctx, 0) && Arrays.equals(out, b) && ctx.isFloat(1)) {
            double c = ctx.scalar(0, "operand");
            SDVariable y = ctx.var(1);
            switch (op) {
                case "Add": return List.of(ctx.dyn(y.add(name, c), out));
                case "Sub": return List.of(ctx.dyn(y.rsub(name, c), out));
                case "Mul": return List.of(ctx.dyn(y.mul(name, c), out));
                case "Div": return List.of(ctx.dyn(y.rdiv(name, c), out));
                default: break;
            }
        }
        SDVariable x = aligned(ctx, 0, out.length), y = aligned(ctx, 1, out.length);
        if (op.equals("Mul") && !Arrays.equals(a, b) && ctx.isFloat(0) && ctx.isFloat(1)) {
            // a broadcast product: widen the small operand first (see NodeContext.broadcastMul)
            if (Arrays.equals(out, a)) return List.of(ctx.dyn(ctx.broadcastMul(name, x, y, out), out));
            if (Arrays.equals(out, b)) return List.of(ctx.dyn(ctx.broadcastMul(name, y, x, out), out));
        }
        return List.of(ctx.dyn(pairwise(ctx.sd, op, name, x, y), out));
    }

    /**
     * Div. An integer division by 0, or of the smallest value by -1, traps in the native library (SIGFPE: the JVM dies),
     * whether it runs when a constant is folded at import or later in a graph: an integer divisor must be a constant
     * holding neither. Shape arithmetic ({@code Shape(x)[2] / 2}) is computed in Java and checked there.
     */
    private static List<Value> div(NodeContext ctx) {
        if (!ctx.isSym(0) && !ctx.isSym(1) && !(ctx.isFloat(0) && ctx.isFloat(1))) {
            if (!ctx.isConst(1)) throw ctx.unsupported("an integer division needs a constant divisor");
            INDArray d = ctx.constant(1, "divisor");
            if (!d.dataType().isFPType() && !d.isEmpty()) {
                for (long v : d.castTo(DataType.LONG).reshape(-1).toLongVector()) {
                    if (v == 0 || v == -1) {
                        throw ctx.invalid("integer divisor holds " + v + " (a division by 0, or of the smallest integer by -1, "
                                + "would crash the native library)");
                    }
                }
            }
        }
        return binary(ctx, "Div");
    }

    private static SDVariable pairwise(SameDiff sd, String op, String name, SDVariable x, SDVariable y) {
        switch (op) {
            case "Add": return sd.math().add(name, x, y);
            case "Sub": return sd.math().sub(name, x, y);
            case "Mul": return sd.math().mul(name, x, y);
            case "Div": return sd.math().div(name, x, y);
            case "Max": return sd.math().max(name, x, y);
            case "Min": return sd.math().min(name, x, y);
            default: throw new IllegalArgumentException(op);
        }
    }

    /** Max, Min, Sum with any number of inputs: a chain of pairwise ops. */
    private static List<Value> variadic(NodeContext ctx, String op) {
        if (ctx.inputCount() == 1) return List.of(ctx.in(0));
        if (ctx.inputCount() == 2 && op.equals("Add")) return binary(ctx, "Add");
        Dim[] out = ctx.shape(0);
        for (int i = 1; i < ctx.inputCount(); i++) out = Shapes.broadcast(out, ctx.shape(i));
        SDVariable acc = aligned(ctx, 0, out.length);
        for (int i = 1; i < ctx.inputCount(); i++) {
            String name = i == ctx.inputCount() - 1 ? ctx.out() : ctx.tmp();
            acc = pairwise(ctx.sd, op, name, acc, aligned(ctx, i, out.length));
        }
        return List.of(ctx.dyn(acc, out));
    }

    /** Integer arithmetic on shape values, e.g. {@code batch * heads}. */
    private static Value symbolic(NodeContext ctx, String op) {
        Dim[] a = ShapeMappers.elements(ctx, 0), b = ShapeMappers.elements(ctx, 1);
        int n = Math.max(a.length, b.length);
        Dim[] out = new Dim[n];
        for (int i = 0; i < n; i++) {
            Dim x = a[a.length == 1 ? 0 : i], y = b[b.length == 1 ? 0 : i];
            switch (op) {
                case "Add": out[i] = x.plus(y); break;
                case "Sub": out[i] = x.minus(y); break;
                case "Mul": out[i] = x.times(y); break;
                case "Div": out[i] = x.dividedBy(y); break;
                default: throw ctx.unsupported(op + " on shape values");
            }
        }
        return ShapeMappers.symOrConst(out, ShapeMappers.scalarIn(ctx, 0) && ShapeMappers.scalarIn(ctx, 1));
    }

    private static List<Value> pow(NodeContext ctx) {
        if (!scalarConst(ctx, 1)) throw ctx.unsupported("only a constant scalar exponent is supported");
        double e = ctx.scalar(1, "exponent");
        if (e < 0) floatInput(ctx, 0); // an integer 0 to a negative power divides by 0 (SIGFPE)
        SDVariable x = ctx.var(0);
        String name = ctx.out();
        SDVariable y;
        if (e == 1) return List.of(ctx.in(0));
        else if (e == 2) y = x.mul(name, x); // SameDiff's pow has no gradient with respect to x in every form
        else if (e == 3) y = x.mul(ctx.tmp(), x).mul(name, x);
        else if (e == 0.5) y = ctx.sd.math().sqrt(name, x);
        else if (e == -0.5) y = ctx.sd.math().rsqrt(name, x);
        else if (e == -1) y = ctx.sd.math().reciprocal(name, x);
        else y = ctx.sd.math().pow(name, x, e);
        return List.of(ctx.dyn(y, ctx.shape(0)));
    }

    // ---- products ----

    private static List<Value> matMul(NodeContext ctx) {
        Dim[] a = ctx.shape(0), b = ctx.shape(1);
        if (a.length < 2 || b.length < 2) throw ctx.unsupported("MatMul with a rank-1 operand");
        if (!a[a.length - 1].equals(b[b.length - 2])) {
            throw new ShapeException("MatMul of " + Shapes.str(a) + " and " + Shapes.str(b));
        }
        if (b.length == 2) {
            Dim[] out = a.clone();
            out[a.length - 1] = b[1];
            if (a.length == 2) return List.of(ctx.dyn(ctx.sd.mmul(ctx.out(), ctx.var(0), ctx.var(1)), out));
            Dim rows = Shapes.product(a, 0, a.length - 1);
            SDVariable flat = ctx.sd.reshape(ctx.tmp(), ctx.var(0), Shapes.forReshape(new Dim[] {rows, a[a.length - 1]}));
            SDVariable prod = ctx.sd.mmul(ctx.tmp(), flat, ctx.var(1));
            return List.of(ctx.dyn(ctx.sd.reshape(ctx.out(), prod, Shapes.forReshape(out)), out));
        }
        if (a.length == b.length && Arrays.equals(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2))) {
            Dim[] out = a.clone();
            out[a.length - 1] = b[b.length - 1];
            return List.of(ctx.dyn(ctx.sd.mmul(ctx.out(), ctx.var(0), ctx.var(1)), out));
        }
        throw ctx.unsupported("MatMul with broadcast batch dimensions " + Shapes.str(a) + " x " + Shapes.str(b));
    }

    private static List<Value> gemm(NodeContext ctx) {
        double alpha = ctx.attrFloat("alpha", 1), beta = ctx.attrFloat("beta", 1);
        boolean ta = ctx.attrInt("transA", 0) != 0, tb = ctx.attrInt("transB", 0) != 0;
        Dim[] a = ctx.shape(0), b = ctx.shape(1);
        Dim m = ta ? a[1] : a[0], n = tb ? b[0] : b[1];
        Dim[] out = {m, n};
        boolean bias = ctx.has(2);
        if (!ta && ctx.isConst(1) && (!bias || (ctx.isConst(2) && ctx.constant(2, "C").length() == n.value()))) {
            // the weight transposed and scaled once at import, then mmul and a bias add
            INDArray w = ctx.constant(1, "B");
            SDVariable wv = ctx.shared(ctx.keyOf(1, "gemm" + (tb ? "T" : "") + alpha), () -> {
                INDArray t = tb ? HostArrays.permute(w, 1, 0) : w;
                return alpha == 1 ? t : t.mul(alpha);
            });
            if (!bias) return List.of(ctx.dyn(ctx.sd.mmul(ctx.out(), ctx.var(0), wv), out));
            INDArray c = ctx.constant(2, "C");
            SDVariable cv = ctx.shared(ctx.keyOf(2, "bias" + beta), () -> beta == 1 ? c.reshape(1, c.length()) : c.reshape(1, c.length()).mul(beta));
            // not sd.nn().linear: xw_plus_b returns wrong values from the second forward pass on in 1.0.0-M2.1
            SDVariable prod = ctx.sd.mmul(ctx.tmp(), ctx.var(0), wv);
            return List.of(ctx.dyn(ctx.sd.math().add(ctx.out(), prod, cv), out));
        }
        SDVariable y = ctx.sd.mmul(bias || alpha != 1 ? ctx.tmp() : ctx.out(), ctx.var(0), ctx.var(1), ta, tb, false);
        if (alpha != 1) y = y.mul(bias ? ctx.tmp() : ctx.out(), alpha);
        if (bias) {
            SDVariable c = aligned(ctx, 2, 2);
            if (beta != 1) c = c.mul(ctx.tmp(), beta);
            y = ctx.sd.math().add(ctx.out(), y, c);
        }
        return List.of(ctx.dyn(y, out));
    }

    // ---- softmax and reductions ----

    private static List<Value> softmax(NodeContext ctx, boolean log) {
        floatInput(ctx, 0);
        Dim[] s = ctx.shape(0);
        int r = s.length;
        int axis = Shapes.axis(ctx.attrInt("axis", ctx.opset() >= 13 ? -1 : 1), r);
        if (ctx.opset() < 13) { // softmax over the flattened trailing dimensions: the same only if they are 1
            for (int i = axis + 1; i < r; i++) {
                if (!s[i].equals(Dim.of(1))) throw ctx.unsupported("opset < 13 softmax over several axes");
            }
        }
        SDVariable x = ctx.var(0);
        SDVariable y;
        if (!log) y = ctx.sd.nn().softmax(ctx.out(), x, axis);
        else if (axis == r - 1) y = ctx.sd.nn().logSoftmax(ctx.out(), x); // the axis form fails in 1.0.0-M2.1
        else y = ctx.sd.math().log(ctx.out(), ctx.sd.nn().softmax(ctx.tmp(), x, axis));
        return List.of(ctx.dyn(y, s));
    }

    private static List<Value> reduce(NodeContext ctx, String kind) {
        Dim[] s = ctx.shape(0);
        boolean axesInput = ctx.opset() >= 18 || (kind.equals("sum") && ctx.opset() >= 13);
        long[] axes = axesInput ? (ctx.has(1) ? ctx.longs(1, "axes") : null) : ctx.attrInts("axes", null);
        boolean keep = ctx.attrInt("keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (ctx.attrInt("noop_with_empty_axes", 0) != 0) return List.of(ctx.in(0));
            axes = new long[s.length];
            for (int i = 0; i < s.length; i++) axes[i] = i;
        }
        int[] ax = Arrays.stream(axes).mapToInt(a -> Shapes.axis(a, s.length)).sorted().distinct().toArray();
        Dim[] out = keep ? s.clone() : new Dim[s.length - ax.length];
        for (int i = 0, j = 0; i < s.length; i++) {
            boolean reduced = Arrays.binarySearch(ax, i) >= 0;
            if (keep && reduced) out[i] = Dim.of(1);
            else if (!keep && !reduced) out[j++] = s[i];
        }
        SDVariable x = ctx.var(0);
        String name = ctx.out();
        SDVariable y;
        switch (kind) {
            case "mean": y = ctx.sd.mean(name, x, keep, ax); break;
            case "sum": y = ctx.sd.sum(name, x, keep, ax); break;
            case "max": y = ctx.sd.max(name, x, keep, ax); break;
            default: y = ctx.sd.min(name, x, keep, ax);
        }
        return List.of(ctx.dyn(y, out));
    }
}
