package org.acejvm.core.onnx;

import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Normalisations: BatchNormalization (inference: one per-channel multiply and add, with the statistics folded at
 * import; SameDiff's batchNorm backprop is broken), InstanceNormalization (PyTorch's GroupNorm export) and
 * LayerNormalization, both written from mean and variance ops that differentiate correctly.
 */
final class NormMappers {
    private NormMappers() {}

    static void register(OpRegistry r) {
        r.op("BatchNormalization", NormMappers::batchNorm)
                .op("InstanceNormalization", NormMappers::instanceNorm)
                .op("LayerNormalization", NormMappers::layerNorm);
    }

    /** Per-channel vector v as shape [1, C, 1, ...] for an input of the given rank. */
    private static INDArray channelShaped(INDArray v, int rank) {
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        shape[1] = v.length();
        return v.reshape(shape);
    }

    private static List<Value> batchNorm(NodeContext ctx) {
        if (ctx.attrInt("training_mode", 0) != 0) throw ctx.unsupported("training_mode=1 (only inference)");
        Dim[] xs = ctx.shape(0);
        double eps = ctx.attrFloat("epsilon", 1e-5);
        double[] scale = HostArrays.doubles(ctx.constant(1, "scale")), bias = HostArrays.doubles(ctx.constant(2, "B"));
        double[] mean = HostArrays.doubles(ctx.constant(3, "mean")), var = HostArrays.doubles(ctx.constant(4, "var"));
        int c = scale.length;
        double[] av = new double[c], bv = new double[c];
        for (int k = 0; k < c; k++) {
            av[k] = scale[k] / Math.sqrt(var[k] + eps);
            bv[k] = bias[k] - mean[k] * av[k];
        }
        INDArray a = HostArrays.create(av, c), b = HostArrays.create(bv, c);
        int r = xs.length;
        SDVariable sv = ctx.shared(ctx.keyOf(1, "bn-scale" + eps), () -> channelShaped(a, r));
        SDVariable tv = ctx.shared(ctx.keyOf(2, "bn-shift" + eps), () -> channelShaped(b, r));
        SDVariable y = ctx.sd.math().mul(ctx.tmp(), ctx.var(0), sv);
        return List.of(ctx.dyn(ctx.sd.math().add(ctx.out(), y, tv), xs));
    }

    /** (x - mean) / sqrt(var + eps) over {@code axes}, named {@code name}. */
    private static SDVariable normalize(NodeContext ctx, SDVariable x, Dim[] shape, int[] axes, double eps, String name) {
        SDVariable mean = ctx.sd.mean(ctx.tmp(), x, true, axes);
        SDVariable d = ctx.sd.math().sub(ctx.tmp(), x, mean);
        // not sd.variance: its gradient is wrong in 1.0.0-M2.1 (relative error 1e-2 against finite differences)
        // d * d rather than square(d): square's backward goes through a slow generic pow derivative
        SDVariable var = ctx.sd.mean(ctx.tmp(), ctx.sd.math().mul(ctx.tmp(), d, d), true, axes);
        SDVariable inv = ctx.sd.math().rsqrt(ctx.tmp(), var.add(ctx.tmp(), eps));
        return ctx.broadcastMul(name, d, inv, shape);
    }

    private static List<Value> instanceNorm(NodeContext ctx) {
        Dim[] xs = ctx.shape(0);
        int r = xs.length;
        double eps = ctx.attrFloat("epsilon", 1e-5);
        INDArray scale = ctx.constant(1, "scale"), bias = ctx.constant(2, "B");
        boolean unitScale = HostArrays.all(scale, 1), zeroBias = HostArrays.all(bias, 0);
        int[] axes = new int[r - 2];
        for (int i = 2; i < r; i++) axes[i - 2] = i;
        SDVariable y = normalize(ctx, ctx.var(0), xs, axes, eps, unitScale && zeroBias ? ctx.out() : ctx.tmp());
        if (!unitScale) {
            SDVariable s = ctx.shared(ctx.keyOf(1, "in-scale"), () -> channelShaped(scale, r));
            y = ctx.broadcastMul(zeroBias ? ctx.out() : ctx.tmp(), y, s, xs);
        }
        if (!zeroBias) {
            SDVariable b = ctx.shared(ctx.keyOf(2, "in-bias"), () -> channelShaped(bias, r));
            y = ctx.sd.math().add(ctx.out(), y, b);
        }
        return List.of(ctx.dyn(y, xs));
    }

    private static List<Value> layerNorm(NodeContext ctx) {
        Dim[] xs = ctx.shape(0);
        int r = xs.length;
        int axis = Shapes.axis(ctx.attrInt("axis", -1), r);
        double eps = ctx.attrFloat("epsilon", 1e-5);
        int[] axes = new int[r - axis];
        for (int i = axis; i < r; i++) axes[i - axis] = i;
        boolean bias = ctx.has(2);
        SDVariable y = normalize(ctx, ctx.var(0), xs, axes, eps, ctx.tmp());
        y = ctx.sd.math().mul(bias ? ctx.tmp() : ctx.out(), y, MathMappers.aligned(ctx, 1, r));
        if (bias) y = ctx.sd.math().add(ctx.out(), y, MathMappers.aligned(ctx, 2, r));
        return List.of(ctx.dyn(y, xs));
    }
}
