package org.acejvm.core.graph.plan;

import java.util.Arrays;
import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.ReduceOp;

/** Input gradients of reductions, shape ops (slices, concatenation) and the neural ops (convolution, pooling, products). */
final class StructuralVjps {
    private StructuralVjps() {}

    static void register(Map<String, Vjp> m) {
        m.put("reduce_mean", StructuralVjps::mean);
        m.put("reduce_sum", (n, k, g, t, s) -> reduceBp("reduce_sum_bp", n, g, t));
        m.put("reduce_max", (n, k, g, t, s) -> reduceBp("reduce_max_bp", n, g, t));
        m.put("softmax", StructuralVjps::softmax);
        m.put("conv2d", StructuralVjps::conv2d);
        m.put("deconv2d", StructuralVjps::deconv2d);
        m.put("depthwise_conv2d", (n, k, g, t, s) -> k == 0 ? withWeightGradients("depthwise_conv2d_bp", n, g, t, s) : null);
        m.put("maxpool2d", (n, k, g, t, s) -> k == 0 ? bp("maxpool2d_bp", n, g, t) : null);
        m.put("avgpool2d", (n, k, g, t, s) -> k == 0 ? bp("avgpool2d_bp", n, g, t) : null);
        m.put("upsampling2d", (n, k, g, t, s) -> k == 0 ? bp("upsampling2d_bp", n, g, t) : null);
        m.put("slice", (n, k, g, t, s) -> k == 0 && n.in().length == 1 ? bp("slice_bp", n, g, t) : null);
        m.put("strided_slice", (n, k, g, t, s) -> k == 0 && n.in().length == 1 ? bp("strided_slice_bp", n, g, t) : null);
        m.put("concat", StructuralVjps::concat);
        m.put("matmul", StructuralVjps::matmul);
        m.put("permute", StructuralVjps::permute);
        m.put("transpose", StructuralVjps::permute);
    }

    /** The output gradient permuted back: axis perm[i] of the input is axis i of the output. */
    private static Runnable permute(Vjp.Node n, int k, INDArray g, INDArray t, Scratch s) {
        if (k != 0) return null;
        int rank = g.rank();
        long[] perm = permutation(n.op(), n.in(), rank);
        if (perm == null) return null;
        long[] inverse = new long[rank];
        for (int i = 0; i < rank; i++) inverse[(int) perm[i]] = i;
        return OpCall.custom("permute", inverse, null, null, new INDArray[] {g}, t);
    }

    /**
     * The axis order of a permute or transpose of a rank-{@code rank} input (axis i of the output is axis perm[i] of
     * the input), from its integer arguments or its second input; a transpose without one reverses the axes. Null
     * when unknown.
     */
    static long[] permutation(DifferentialFunction op, INDArray[] in, int rank) {
        long[] ia = op instanceof CustomOp c ? c.iArgs() : new long[0];
        long[] perm = ia.length == rank ? ia.clone() : in.length > 1 ? in[1].toLongVector() : null;
        if (perm == null && op.opName().equals("transpose") && in.length == 1) { // no order given: reversed
            perm = new long[rank];
            for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
        }
        if (perm == null || perm.length != rank) return null;
        for (int i = 0; i < rank; i++) perm[i] = axis(perm[i], rank);
        return perm;
    }

    /** An axis argument counted from 0 (a negative one counts from the end). */
    static long axis(long a, int rank) { return a < 0 ? a + rank : a; }

    /** ND4J's own backward op with the forward op's arguments: inputs (x, dL/dy), output dL/dx. */
    private static Runnable bp(String name, Vjp.Node n, INDArray g, INDArray t) {
        CustomOp c = (CustomOp) n.op();
        return OpCall.custom(name, c.iArgs(), c.tArgs(), c.bArgs(), new INDArray[] {n.in()[0], g}, t);
    }

    /** A mean over trailing axes (group norm's) spreads g / count over each row in one loop; others: ND4J's op. */
    private static Runnable mean(Vjp.Node n, int k, INDArray g, INDArray t, Scratch s) {
        int inner = trailingLength(n.op(), n.in()[0]);
        if (inner > 0 && FloatLoops.dense(g) && FloatLoops.dense(t) && g.length() * inner == t.length()) {
            return FloatLoops.spreadMean(g, t, inner);
        }
        return reduceBp("reduce_mean_bp", n, g, t);
    }

    /**
     * The number of elements per row of a reduction of x over its trailing axes (some, not all), or -1 when the
     * reduction is over other axes or its axes are unknown.
     */
    static int trailingLength(DifferentialFunction reduction, INDArray x) {
        long[] dims = dimensions(reduction, x.rank());
        if (dims == null || dims.length == 0 || dims.length >= x.rank()) return -1;
        long[] sorted = dims.clone();
        Arrays.sort(sorted);
        long inner = 1;
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] != x.rank() - sorted.length + i) return -1;
            inner *= x.size((int) sorted[i]);
        }
        return (int) inner;
    }

    private static Runnable reduceBp(String name, Vjp.Node n, INDArray g, INDArray t) {
        long[] dims = dimensions(n.op(), n.in()[0].rank());
        if (dims == null || n.in().length != 1) return null;
        boolean keep = n.op() instanceof ReduceOp r ? r.isKeepDims()
                : ((CustomOp) n.op()).bArgs().length > 0 && ((CustomOp) n.op()).bArgs()[0];
        return OpCall.custom(name, dims, null, new boolean[] {keep}, new INDArray[] {n.in()[0], g}, t);
    }

    /** The reduced axes of a legacy or custom reduction (all axes when none are named); null if unknown. */
    static long[] dimensions(DifferentialFunction op, int rank) {
        long[] dims;
        if (op instanceof ReduceOp r) {
            INDArray d = r.dimensions();
            dims = d == null ? new long[0] : d.toLongVector();
            if (dims.length == 1 && dims[0] == Integer.MAX_VALUE) dims = new long[0]; // "all axes"
        } else if (op instanceof CustomOp c) {
            dims = c.iArgs();
        } else {
            return null;
        }
        if (dims.length == 0) {
            dims = new long[rank];
            for (int i = 0; i < rank; i++) dims[i] = i;
        }
        for (int i = 0; i < dims.length; i++) dims[i] = axis(dims[i], rank);
        return dims;
    }

    /** softmax y along d: dL/dx = y * (g - sum_d(g * y)). */
    private static Runnable softmax(Vjp.Node n, int k, INDArray g, INDArray t, Scratch s) {
        long[] args = ((CustomOp) n.op()).iArgs();
        int rank = g.rank();
        long d = axis(args.length > 0 ? args[0] : -1, rank);
        INDArray y = n.out()[0];
        long[] small = g.shape().clone();
        small[(int) d] = 1;
        INDArray gy = s.get(g.shape(), 0), sum = s.get(small, 0);
        return Vjps.then(Vjps.then(
                        OpCall.custom("multiply", null, null, null, new INDArray[] {g, y}, gy),
                        OpCall.custom("reduce_sum", new long[] {d}, null, new boolean[] {true}, new INDArray[] {gy}, sum)),
                Vjps.then(OpCall.custom("subtract", null, null, null, new INDArray[] {g, sum}, gy),
                        OpCall.custom("multiply", null, null, null, new INDArray[] {gy, y}, t)));
    }

    /**
     * The input gradient of a convolution: a transposed convolution of the output gradient with the same weights
     * (ND4J's deconv2d reads conv2d's weight layouts as its own) where its output size is the input's; otherwise
     * conv2d_bp, which also computes the (unused) weight and bias gradients.
     */
    private static Runnable conv2d(Vjp.Node n, int k, INDArray g, INDArray t, Scratch s) {
        if (k != 0) return null;
        long[] a = ((CustomOp) n.op()).iArgs();
        INDArray x = n.in()[0], w = n.in()[1];
        if (deconvolves(n)) return OpCall.custom("deconv2d", a, null, null, new INDArray[] {g, w}, t);
        INDArray gw = s.get(w.shape(), 0);
        if (n.in().length > 2) {
            INDArray gb = s.get(n.in()[2].shape(), 0);
            return OpCall.custom("conv2d_bp", a, null, null, new INDArray[] {x, w, n.in()[2], g}, t, gw, gb);
        }
        return OpCall.custom("conv2d_bp", a, null, null, new INDArray[] {x, w, g}, t, gw);
    }

    /** True when deconv2d of the output gradient gives the input's size (and the input's values are not needed). */
    static boolean deconvolves(Vjp.Node n) {
        long[] a = ((CustomOp) n.op()).iArgs();
        if (a.length < 9) return false;
        boolean nchw = a.length < 10 || a[9] == 0;
        boolean same = a[8] == 1;
        int hAxis = nchw ? 2 : 1;
        for (int i = 0; i < 2; i++) {
            long kk = a[i], st = a[2 + i], p = a[4 + i], dil = a[6 + i];
            long in = n.out()[0].size(hAxis + i), want = n.in()[0].size(hAxis + i);
            long out = same ? in * st : (in - 1) * st + (kk - 1) * dil + 1 - 2 * p;
            if (out != want || same && st != 1) return false;
        }
        return true;
    }

    /**
     * The input gradient of a transposed convolution: the convolution of the output gradient with the same weights
     * (conv2d reads deconv2d's weight layouts as its own), where that gives the input's size; else deconv2d_bp.
     */
    private static Runnable deconv2d(Vjp.Node n, int k, INDArray g, INDArray t, Scratch s) {
        if (k != 0) return null;
        long[] a = ((CustomOp) n.op()).iArgs();
        if (a.length < 9) return null;
        boolean nchw = a.length < 10 || a[9] == 0;
        int hAxis = nchw ? 2 : 1;
        boolean fits = a[8] == 0;
        for (int i = 0; i < 2 && fits; i++) {
            long kk = a[i], st = a[2 + i], p = a[4 + i], dil = a[6 + i];
            long in = g.size(hAxis + i), want = n.in()[0].size(hAxis + i);
            long span = in + 2 * p - ((kk - 1) * dil + 1);
            fits = span >= 0 && span % st == 0 && span / st + 1 == want;
        }
        if (fits) return OpCall.custom("conv2d", a, null, null, new INDArray[] {g, n.in()[1]}, t);
        return withWeightGradients("deconv2d_bp", n, g, t, s);
    }

    /** ND4J's backward op that also computes the weight (and bias) gradients, into scratch arrays. */
    private static Runnable withWeightGradients(String name, Vjp.Node n, INDArray g, INDArray t, Scratch s) {
        INDArray[] in = new INDArray[n.in().length + 1];
        System.arraycopy(n.in(), 0, in, 0, n.in().length);
        in[n.in().length] = g;
        INDArray[] out = new INDArray[n.in().length];
        out[0] = t;
        for (int i = 1; i < out.length; i++) out[i] = s.get(n.in()[i].shape(), 0);
        CustomOp c = (CustomOp) n.op();
        return OpCall.custom(name, c.iArgs(), c.tArgs(), c.bArgs(), in, out);
    }

    /** Each input's gradient is its slice of the output gradient along the concatenation axis. */
    private static Runnable concat(Vjp.Node n, int k, INDArray g, INDArray t, Scratch s) {
        long[] args = ((CustomOp) n.op()).iArgs();
        if (args.length == 0) return null;
        int rank = g.rank();
        long axis = axis(args[0], rank);
        long offset = 0;
        for (int i = 0; i < k; i++) offset += n.in()[i].size((int) axis);
        long[] begin = new long[rank], size = t.shape().clone();
        begin[(int) axis] = offset;
        long[] iArgs = new long[2 * rank];
        System.arraycopy(begin, 0, iArgs, 0, rank);
        System.arraycopy(size, 0, iArgs, rank, rank);
        return OpCall.custom("slice", iArgs, null, null, new INDArray[] {g}, t);
    }

    /**
     * y = alpha * op(a) op(b), or its transpose (beta 0); a batched product broadcast over the other's batch. A
     * transposed result (op(a) op(b))^T is the product op(b)^T op(a)^T, so it is differentiated as that.
     */
    private static Runnable matmul(Vjp.Node n, int k, INDArray g, INDArray t, Scratch s) {
        long[] ia = ((CustomOp) n.op()).iArgs();
        double[] ta = ((CustomOp) n.op()).tArgs();
        boolean tA = ia.length > 0 && ia[0] != 0, tB = ia.length > 1 && ia[1] != 0;
        if (ta.length > 1 && ta[1] != 0) return null;
        double alpha = ta.length > 0 ? ta[0] : 1.0;
        INDArray a = n.in()[0], b = n.in()[1];
        if (ia.length > 2 && ia[2] != 0) {
            INDArray swap = a;
            a = b;
            b = swap;
            boolean flip = tA;
            tA = !tB;
            tB = !flip;
            k = 1 - k;
        }
        INDArray x, y;
        boolean tx, ty;
        if (k == 0) {
            if (!tA) { x = g; y = b; tx = false; ty = !tB; } else { x = b; y = g; tx = tB; ty = true; }
        } else {
            if (!tB) { x = a; y = g; tx = !tA; ty = false; } else { x = g; y = a; tx = true; ty = tA; }
        }
        long[] outShape = productShape(x.shape(), tx, y.shape(), ty);
        if (outShape == null) return null;
        boolean direct = Arrays.equals(outShape, t.shape());
        INDArray dest = direct ? t : s.get(outShape, 1);
        Runnable r = OpCall.custom("matmul", new long[] {tx ? 1 : 0, ty ? 1 : 0, 0}, new double[] {alpha, 0.0}, null,
                new INDArray[] {x, y}, dest);
        return direct ? r : Vjps.then(r, Vjps.sumTo(dest, t));
    }

    /** The shape of op(x) op(y) with batch axes broadcast, or null when they do not broadcast. */
    private static long[] productShape(long[] x, boolean tx, long[] y, boolean ty) {
        if (x.length < 2 || y.length < 2) return null;
        long rows = tx ? x[x.length - 1] : x[x.length - 2];
        long cols = ty ? y[y.length - 2] : y[y.length - 1];
        int rank = Math.max(x.length, y.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank - 2; i++) {
            long bx = i - (rank - x.length) >= 0 ? x[i - (rank - x.length)] : 1;
            long by = i - (rank - y.length) >= 0 ? y[i - (rank - y.length)] : 1;
            if (bx != by && bx != 1 && by != 1) return null;
            out[i] = Math.max(bx, by);
        }
        out[rank - 2] = rows;
        out[rank - 1] = cols;
        return out;
    }
}
