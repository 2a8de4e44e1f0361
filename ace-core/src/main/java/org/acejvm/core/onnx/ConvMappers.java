package org.acejvm.core.onnx;

import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Convolution, pooling and nearest-neighbour upsampling: Conv and ConvTranspose (1-D and 2-D), MaxPool, AveragePool,
 * GlobalAveragePool, GlobalMaxPool, Resize (nearest with integer scales; linear).
 *
 * <p>A 2-D Conv becomes one {@code conv2d} op on NCHW data with YXIO weights (ONNX's OIHW weights are permuted once
 * per model; SameDiff's OIYX backprop is broken) and the bias inside the op. 1-D convolutions run as 2-D ones on
 * an inserted height-1 axis. Asymmetric padding becomes an explicit pad op in front. Dilated convolutions use the
 * equivalent zero-interleaved kernel (ND4J's oneDNN dilated conv2d fails to run).
 */
final class ConvMappers {
    private ConvMappers() {}

    static void register(OpRegistry r) {
        r.op("Conv", ConvMappers::conv)
                .op("ConvTranspose", ConvMappers::convTranspose)
                .op("MaxPool", ctx -> pool(ctx, true))
                .op("AveragePool", ctx -> pool(ctx, false))
                .op("GlobalAveragePool", ctx -> globalPool(ctx, false))
                .op("GlobalMaxPool", ctx -> globalPool(ctx, true))
                .op("Resize", ConvMappers::resize);
    }

    /** Spatial geometry of a window op, always as 2-D (1-D ops get height 1). */
    private record Window(long kH, long kW, long sH, long sW, long dH, long dW, long pt, long pl, long pb, long pr) {
        boolean symmetric() { return pt == pb && pl == pr; }

        long outH(long h, boolean ceil) { return out(h, kH, sH, dH, pt + pb, ceil); }

        long outW(long w, boolean ceil) { return out(w, kW, sW, dW, pl + pr, ceil); }

        private static long out(long in, long k, long s, long d, long pad, boolean ceil) {
            long span = in + pad - d * (k - 1) - 1;
            return (ceil ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
        }
    }

    private static Window window(NodeContext ctx, long[] kernel, Dim[] xs) {
        int sp = kernel.length;
        long[] ones = new long[sp];
        Arrays.fill(ones, 1);
        long[] s = ctx.attrInts("strides", ones), d = ctx.attrInts("dilations", ones);
        long[] pads = ctx.attrInts("pads", new long[2 * sp]);
        String auto = ctx.attrString("auto_pad", "NOTSET");
        if (auto.equals("VALID")) {
            pads = new long[2 * sp];
        } else if (auto.equals("SAME_UPPER") || auto.equals("SAME_LOWER")) {
            pads = new long[2 * sp];
            for (int i = 0; i < sp; i++) {
                long in = xs[2 + i].value();
                long total = Math.max(0, (Math.floorDiv(in + s[i] - 1, s[i]) - 1) * s[i] + d[i] * (kernel[i] - 1) + 1 - in);
                long small = total / 2;
                pads[i] = auto.equals("SAME_UPPER") ? small : total - small;
                pads[i + sp] = total - pads[i];
            }
        } else if (!auto.equals("NOTSET")) {
            throw ctx.unsupported("auto_pad " + auto);
        }
        if (sp == 1) return new Window(1, kernel[0], 1, s[0], 1, d[0], 0, pads[0], 0, pads[1]);
        return new Window(kernel[0], kernel[1], s[0], s[1], d[0], d[1], pads[0], pads[1], pads[2], pads[3]);
    }

    /** x as NCHW: a height-1 axis inserted for 1-D ops. */
    private static SDVariable as2d(NodeContext ctx, SDVariable x, boolean oneD) {
        return oneD ? ctx.sd.expandDims(ctx.tmp(), x, 2) : x;
    }

    private static SDVariable explicitPad(NodeContext ctx, SDVariable x, Window w, double value) {
        int[][] p = {{0, 0}, {0, 0}, {(int) w.pt, (int) w.pb}, {(int) w.pl, (int) w.pr}};
        SDVariable pv = ctx.shared("pad" + Arrays.deepToString(p), () -> Nd4j.createFromArray(p));
        return ctx.sd.nn().pad(ctx.tmp(), x, pv, PadMode.CONSTANT, value);
    }

    /**
     * Conv, 1-D or 2-D, with groups: group 1 is one conv2d; a depthwise convolution (one input channel per group,
     * output channels grouped by input channel as ONNX orders them) is one depthwise_conv2d; other groups are one
     * conv2d per group on a channel slice, concatenated. All have SameDiff gradients.
     */
    private static List<Value> conv(NodeContext ctx) {
        Dim[] xs = ctx.shape(0);
        if (xs.length != 3 && xs.length != 4) throw ctx.unsupported("Conv on rank " + xs.length + " (1-D and 2-D only)");
        boolean oneD = xs.length == 3;
        INDArray w = ctx.constant(1, "weights");
        long group = ctx.attrInt("group", 1);
        long o = w.size(0), i = w.size(1);
        if (group < 1 || o % group != 0 || !xs[1].equals(Dim.of(i * group))) {
            throw new ShapeException("Conv weights " + Arrays.toString(w.shape()) + " with group=" + group + " on input "
                    + Shapes.str(xs));
        }
        long[] kernel = Arrays.copyOfRange(w.shape(), 2, w.rank());
        Window win = window(ctx, kernel, xs);

        SDVariable x = as2d(ctx, ctx.var(0), oneD);
        if (!win.symmetric()) {
            x = explicitPad(ctx, x, win, 0);
            win = new Window(win.kH, win.kW, win.sH, win.sW, win.dH, win.dW, 0, 0, 0, 0);
        }
        final long kH = win.kH, kW = win.kW, dH = win.dH, dW = win.dW;
        if (dH > 1 || dW > 1) { // oneDNN's dilated conv2d fails in ND4J 1.0.0-M2.1: use the equivalent dilated kernel
            win = new Window(dH * (kH - 1) + 1, dW * (kW - 1) + 1, win.sH, win.sW, 1, 1, win.pt, win.pl, win.pb, win.pr);
        }
        Conv2DConfig cfg = Conv2DConfig.builder().kH(win.kH).kW(win.kW).sH(win.sH).sW(win.sW).pH(win.pt).pW(win.pl)
                .dH(win.dH).dW(win.dW).paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        String name = oneD ? ctx.tmp() : ctx.out();
        SDVariable bias = null;
        if (ctx.has(2)) {
            INDArray b = ctx.constant(2, "bias");
            bias = ctx.shared(ctx.keyOf(2, "vec"), () -> b.reshape(b.length()));
        }
        SDVariable y;
        if (group == 1) {
            SDVariable weights = ctx.shared(ctx.keyOf(1, "yxio-d" + dH + "x" + dW),
                    () -> HostArrays.permute(dilate(w.reshape(o, i, kH, kW), dH, dW), 2, 3, 1, 0));
            y = bias == null ? ctx.sd.cnn().conv2d(name, x, weights, cfg) : ctx.sd.cnn().conv2d(name, x, weights, bias, cfg);
        } else if (i == 1) {
            // ONNX output channel c * m + j reads input channel c, as depthwise_conv2d's [kH, kW, C, m] weights do
            long m = o / group;
            SDVariable weights = ctx.shared(ctx.keyOf(1, "dw-yxcm-d" + dH + "x" + dW),
                    () -> HostArrays.permute(dilate(w.reshape(o, 1, kH, kW), dH, dW).reshape(group, m,
                            dH * (kH - 1) + 1, dW * (kW - 1) + 1), 2, 3, 0, 1));
            y = bias == null ? ctx.sd.cnn().depthWiseConv2d(name, x, weights, cfg)
                    : ctx.sd.cnn().depthWiseConv2d(name, x, weights, bias, cfg);
        } else {
            long og = o / group;
            Dim[] xs2 = oneD ? new Dim[] {xs[0], xs[1], Dim.of(1), xs[2]} : xs;
            SDVariable[] parts = new SDVariable[(int) group];
            for (int g = 0; g < group; g++) {
                final int gi = g;
                SDVariable xg = ShapeMappers.sliceAxis(ctx, ctx.tmp(), x, xs2, 1, g * i, i);
                SDVariable wg = ctx.shared(ctx.keyOf(1, "g" + g + "-yxio-d" + dH + "x" + dW), () -> HostArrays.permute(
                        dilate(w.get(NDArrayIndex.interval(gi * og, (gi + 1) * og)).reshape(og, i, kH, kW), dH, dW), 2, 3, 1, 0));
                if (bias == null) {
                    parts[g] = ctx.sd.cnn().conv2d(ctx.tmp(), xg, wg, cfg);
                } else {
                    INDArray b = ctx.constant(2, "bias");
                    SDVariable bg = ctx.shared(ctx.keyOf(2, "g" + g + "-vec"),
                            () -> b.reshape(b.length()).get(NDArrayIndex.interval(gi * og, (gi + 1) * og)).dup());
                    parts[g] = ctx.sd.cnn().conv2d(ctx.tmp(), xg, wg, bg, cfg);
                }
            }
            y = ctx.sd.concat(name, 1, parts);
        }
        long h = oneD ? 1 : xs[2].value(), wd = xs[xs.length - 1].value();
        long oh = win.outH(h, false), ow = win.outW(wd, false);
        if (oneD) return List.of(ctx.dyn(ctx.sd.squeeze(ctx.out(), y, 2), new Dim[] {xs[0], Dim.of(o), Dim.of(ow)}));
        return List.of(ctx.dyn(y, new Dim[] {xs[0], Dim.of(o), Dim.of(oh), Dim.of(ow)}));
    }

    /**
     * ConvTranspose, 1-D or 2-D, with groups, dilations, pads and output_padding (the decoders of VAEs and GANs). Each
     * group is one deconv2d (weights [kH, kW, out, in], ONNX's [in, out/group, kH, kW] permuted once per model) with
     * the dilated kernel, as for Conv. Symmetric pads and no output_padding go into the op with the bias; otherwise
     * the unpadded result is cropped (and zero-extended where output_padding reaches past it), then the bias added.
     */
    private static List<Value> convTranspose(NodeContext ctx) {
        Dim[] xs = ctx.shape(0);
        if (xs.length != 3 && xs.length != 4) throw ctx.unsupported("ConvTranspose on rank " + xs.length + " (1-D and 2-D only)");
        boolean oneD = xs.length == 3;
        INDArray w = ctx.constant(1, "weights");
        long group = ctx.attrInt("group", 1);
        long in = w.size(0), og = w.size(1);
        if (w.rank() != xs.length || group < 1 || in % group != 0 || !xs[1].equals(Dim.of(in))) {
            throw new ShapeException("ConvTranspose weights " + Arrays.toString(w.shape()) + " with group=" + group
                    + " on input " + Shapes.str(xs));
        }
        if (!ctx.attrString("auto_pad", "NOTSET").equals("NOTSET") && !ctx.attrString("auto_pad", "NOTSET").equals("VALID")) {
            throw ctx.unsupported("auto_pad " + ctx.attrString("auto_pad", ""));
        }
        if (ctx.attrInts("output_shape", null) != null) throw ctx.unsupported("output_shape (give pads and output_padding)");
        int sp = xs.length - 2;
        long[] ones = new long[sp];
        Arrays.fill(ones, 1);
        long[] s = ctx.attrInts("strides", ones), d = ctx.attrInts("dilations", ones);
        long[] pads = ctx.attrString("auto_pad", "NOTSET").equals("VALID") ? new long[2 * sp] : ctx.attrInts("pads", new long[2 * sp]);
        long[] outPad = ctx.attrInts("output_padding", new long[sp]);
        if (s.length != sp || d.length != sp || pads.length != 2 * sp || outPad.length != sp) {
            throw new ShapeException("ConvTranspose strides/dilations/pads/output_padding of the wrong length for rank " + xs.length);
        }
        // as 2-D: 1-D gets height 1 (kernel 1, stride 1, no padding)
        long kH = oneD ? 1 : w.size(2), kW = w.size(w.rank() - 1);
        long sH = oneD ? 1 : s[0], sW = s[sp - 1], dH = oneD ? 1 : d[0], dW = d[sp - 1];
        long pt = oneD ? 0 : pads[0], pl = pads[sp - 1], pb = oneD ? 0 : pads[sp], pr = pads[2 * sp - 1];
        long oph = oneD ? 0 : outPad[0], opw = outPad[sp - 1];
        for (long v : new long[] {kH, kW, sH, sW, dH, dW}) if (v < 1) throw new ShapeException("ConvTranspose kernel, stride or dilation " + v);
        for (long v : new long[] {pt, pl, pb, pr, oph, opw}) if (v < 0) throw new ShapeException("ConvTranspose pad or output_padding " + v);
        long h = oneD ? 1 : xs[2].value(), wd = xs[xs.length - 1].value();
        long eKH = dH * (kH - 1) + 1, eKW = dW * (kW - 1) + 1;
        long fullH = sH * (h - 1) + eKH, fullW = sW * (wd - 1) + eKW;
        long oh = fullH + oph - pt - pb, ow = fullW + opw - pl - pr;
        if (oh < 1 || ow < 1) throw new ShapeException("ConvTranspose output " + oh + "x" + ow + " from input " + Shapes.str(xs));
        boolean inOp = pt == pb && pl == pr && oph == 0 && opw == 0;

        SDVariable x = as2d(ctx, ctx.var(0), oneD);
        DeConv2DConfig cfg = DeConv2DConfig.builder().kH(eKH).kW(eKW).sH(sH).sW(sW).pH(inOp ? pt : 0).pW(inOp ? pl : 0)
                .dH(1).dW(1).isSameMode(false).dataFormat("NCHW").build();
        SDVariable bias = null;
        if (ctx.has(2)) {
            INDArray b = ctx.constant(2, "bias");
            if (b.length() != og * group) throw new ShapeException("ConvTranspose bias of " + b.length() + " for " + og * group + " outputs");
            bias = inOp ? ctx.shared(ctx.keyOf(2, "vec"), () -> b.reshape(b.length()))
                    : ctx.shared(ctx.keyOf(2, "1c11"), () -> b.reshape(1, b.length(), 1, 1));
        }
        long ig = in / group;
        Dim[] xs2 = oneD ? new Dim[] {xs[0], xs[1], Dim.of(1), xs[2]} : xs;
        // the last op of the 2-D result carries the output's name (a 1-D result is squeezed after it)
        String last = oneD ? ctx.tmp() : ctx.out();
        boolean sliced = !inOp, biasAdded = !inOp && bias != null;
        SDVariable[] parts = new SDVariable[(int) group];
        for (int g = 0; g < group; g++) {
            final int gi = g;
            SDVariable xg = group == 1 ? x : ShapeMappers.sliceAxis(ctx, ctx.tmp(), x, xs2, 1, g * ig, ig);
            SDVariable wg = ctx.shared(ctx.keyOf(1, "t" + g + "-yxoi-d" + dH + "x" + dW), () -> HostArrays.permute(
                    dilate(w.get(NDArrayIndex.interval(gi * ig, (gi + 1) * ig)).reshape(ig, og, kH, kW), dH, dW), 2, 3, 1, 0));
            SDVariable bg = null;
            if (bias != null && inOp) {
                INDArray b = ctx.constant(2, "bias");
                bg = group == 1 ? bias : ctx.shared(ctx.keyOf(2, "g" + g + "-vec"),
                        () -> b.reshape(b.length()).get(NDArrayIndex.interval(gi * og, (gi + 1) * og)).dup());
            }
            String name = group == 1 && !sliced ? last : ctx.tmp();
            parts[g] = bg == null ? ctx.sd.cnn().deconv2d(name, xg, wg, cfg) : ctx.sd.cnn().deconv2d(name, xg, wg, bg, cfg);
        }
        SDVariable y = group == 1 ? parts[0] : ctx.sd.concat(sliced ? ctx.tmp() : last, 1, parts);
        if (sliced) {
            // crop [pt, pt + oh) x [pl, pl + ow) of the full result; output_padding past its end reads zeros
            long extraH = Math.max(0, pt + oh - fullH), extraW = Math.max(0, pl + ow - fullW);
            if (extraH > 0 || extraW > 0) y = explicitPad(ctx, y, new Window(1, 1, 1, 1, 1, 1, 0, 0, extraH, extraW), 0);
            y = ctx.sd.slice(biasAdded ? ctx.tmp() : last, y, new int[] {0, 0, (int) pt, (int) pl}, new int[] {-1, -1, (int) oh, (int) ow});
            if (biasAdded) y = y.add(last, bias);
        }
        long o = og * group;
        if (oneD) return List.of(ctx.dyn(ctx.sd.squeeze(ctx.out(), y, 2), new Dim[] {xs[0], Dim.of(o), Dim.of(ow)}));
        return List.of(ctx.dyn(y, new Dim[] {xs[0], Dim.of(o), Dim.of(oh), Dim.of(ow)}));
    }

    /** OIHW kernel with (d-1) zeros between taps: a dilated convolution as an ordinary one. */
    private static INDArray dilate(INDArray w, long dH, long dW) {
        if (dH == 1 && dW == 1) return w;
        long kH = w.size(2), kW = w.size(3);
        INDArray out = Nd4j.zeros(w.dataType(), w.size(0), w.size(1), dH * (kH - 1) + 1, dW * (kW - 1) + 1);
        for (long y = 0; y < kH; y++) {
            for (long x = 0; x < kW; x++) {
                out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(y * dH), NDArrayIndex.point(x * dW))
                        .assign(w.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.point(x)));
            }
        }
        return out;
    }

    private static List<Value> pool(NodeContext ctx, boolean max) {
        Dim[] xs = ctx.shape(0);
        if (xs.length != 3 && xs.length != 4) throw ctx.unsupported("pooling on rank " + xs.length + " (1-D and 2-D only)");
        boolean oneD = xs.length == 3;
        long[] kernel = ctx.attrInts("kernel_shape", null);
        if (kernel == null) throw ctx.unsupported("pooling without kernel_shape");
        Window win = window(ctx, kernel, xs);
        if (win.dH != 1 || win.dW != 1) throw ctx.unsupported("dilated pooling");
        boolean includePad = !max && ctx.attrInt("count_include_pad", 0) != 0;
        long h = oneD ? 1 : xs[2].value(), wd = xs[xs.length - 1].value();
        boolean ceil = ctx.attrInt("ceil_mode", 0) != 0;
        long oh = win.outH(h, false), ow = win.outW(wd, false);
        if (ceil && (win.outH(h, true) != oh || win.outW(wd, true) != ow)) throw ctx.unsupported("ceil_mode=1 that changes the output size");

        SDVariable x = as2d(ctx, ctx.var(0), oneD);
        if (!win.symmetric()) {
            if (!max && !includePad) throw ctx.unsupported("asymmetric padding with count_include_pad=0");
            x = explicitPad(ctx, x, win, max ? -Double.MAX_VALUE : 0);
            win = new Window(win.kH, win.kW, win.sH, win.sW, win.dH, win.dW, 0, 0, 0, 0);
        }
        Pooling2DConfig cfg = Pooling2DConfig.builder().kH(win.kH).kW(win.kW).sH(win.sH).sW(win.sW).pH(win.pt).pW(win.pl)
                .dH(win.dH).dW(win.dW).paddingMode(PaddingMode.VALID).isNHWC(false)
                .type(max ? Pooling2D.Pooling2DType.MAX : Pooling2D.Pooling2DType.AVG)
                .divisor(includePad ? Pooling2D.Divisor.INCLUDE_PADDING : Pooling2D.Divisor.EXCLUDE_PADDING)
                .extra(includePad ? 1 : 0)
                .build();
        String name = oneD ? ctx.tmp() : ctx.out();
        SDVariable y = max ? ctx.sd.cnn().maxPooling2d(name, x, cfg) : ctx.sd.cnn().avgPooling2d(name, x, cfg);
        if (oneD) return List.of(ctx.dyn(ctx.sd.squeeze(ctx.out(), y, 2), new Dim[] {xs[0], xs[1], Dim.of(ow)}));
        return List.of(ctx.dyn(y, new Dim[] {xs[0], xs[1], Dim.of(oh), Dim.of(ow)}));
    }

    private static List<Value> globalPool(NodeContext ctx, boolean max) {
        Dim[] xs = ctx.shape(0);
        int[] axes = new int[xs.length - 2];
        Dim[] out = xs.clone();
        for (int i = 2; i < xs.length; i++) {
            axes[i - 2] = i;
            out[i] = Dim.of(1);
        }
        SDVariable x = ctx.var(0);
        SDVariable y = max ? ctx.sd.max(ctx.out(), x, true, axes) : ctx.sd.mean(ctx.out(), x, true, axes);
        return List.of(ctx.dyn(y, out));
    }

    /** Nearest-neighbour resize by integer factors, as one {@code upsampling2d} op (resize ops have no gradient). */
    private static List<Value> resize(NodeContext ctx) {
        Dim[] xs = ctx.shape(0);
        if (xs.length != 4) throw ctx.unsupported("resize of a rank-" + xs.length + " tensor (only NCHW)");
        String mode = ctx.attrString("mode", "nearest");
        if (mode.equals("linear")) return linearResize(ctx, xs);
        if (!mode.equals("nearest")) throw ctx.unsupported("mode '" + mode + "' (nearest and linear only)");
        String coord = ctx.attrString("coordinate_transformation_mode", "half_pixel");
        String nearest = ctx.attrString("nearest_mode", "round_prefer_floor");
        boolean replicates = (coord.equals("asymmetric") && nearest.equals("floor"))
                || ((coord.equals("half_pixel") || coord.equals("pytorch_half_pixel"))
                && (nearest.equals("round_prefer_floor") || nearest.equals("round_prefer_ceil")))
                || (coord.equals("tf_half_pixel_for_nn") && nearest.equals("floor"));
        if (!replicates) throw ctx.unsupported("coordinate_transformation_mode '" + coord + "' with nearest_mode '" + nearest + "'");

        long[] scale = new long[4];
        int scalesIn = 2;
        boolean haveScales = ctx.has(scalesIn) && ctx.shape(scalesIn).length == 1 && ctx.shape(scalesIn)[0].value() > 0;
        if (haveScales) {
            INDArray s = ctx.constant(scalesIn, "scales");
            for (int i = 0; i < 4; i++) {
                double f = s.getDouble(i);
                scale[i] = Math.round(f);
                if (Math.abs(f - scale[i]) > 1e-6 || scale[i] < 1) throw ctx.unsupported("non-integer scale " + f);
            }
        } else if (ctx.has(3)) {
            Dim[] sizes = ctx.dims(3, "sizes");
            for (int i = 0; i < 4; i++) {
                if (sizes[i].equals(xs[i])) {
                    scale[i] = 1;
                } else {
                    long in = xs[i].value(), out = sizes[i].value();
                    if (out % in != 0) throw ctx.unsupported("non-integer scale " + out + "/" + in);
                    scale[i] = out / in;
                }
            }
        } else {
            throw ctx.unsupported("resize without scales or sizes");
        }
        if (scale[0] != 1 || scale[1] != 1) throw ctx.unsupported("resizing the batch or channel dimension");
        if (scale[2] == 1 && scale[3] == 1) return List.of(ctx.in(0));
        SDVariable y = ctx.sd.cnn().upsampling2d(ctx.out(), ctx.var(0), (int) scale[2], (int) scale[3], true);
        return List.of(ctx.dyn(y, new Dim[] {xs[0], xs[1], Dim.of(xs[2].value() * scale[2]), Dim.of(xs[3].value() * scale[3])}));
    }

    /**
     * Resize with mode linear (bilinear on NCHW) as two matrix products with constant interpolation matrices,
     * Y = A_h X A_w^T: exact, and differentiable through SameDiff's mmul (its own resize ops have no gradient). The
     * matrices follow ONNX's coordinate transformation modes (half_pixel, pytorch_half_pixel, align_corners,
     * asymmetric), with source coordinates clamped to the image as ONNX and PyTorch do.
     */
    private static List<Value> linearResize(NodeContext ctx, Dim[] xs) {
        String coord = ctx.attrString("coordinate_transformation_mode", "half_pixel");
        if (!List.of("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric").contains(coord)) {
            throw ctx.unsupported("linear resize with coordinate_transformation_mode '" + coord + "'");
        }
        if (ctx.attrInt("antialias", 0) != 0) throw ctx.unsupported("linear resize with antialias");
        long h = xs[2].value(), w = xs[3].value();
        double[] scale = new double[4];
        long[] out = new long[4];
        boolean haveScales = ctx.has(2) && ctx.shape(2).length == 1 && ctx.shape(2)[0].value() > 0;
        if (haveScales) {
            INDArray s = ctx.constant(2, "scales");
            for (int i = 0; i < 4; i++) scale[i] = s.getDouble(i);
            out[2] = (long) Math.floor(h * scale[2]);
            out[3] = (long) Math.floor(w * scale[3]);
            if (scale[0] != 1 || scale[1] != 1) throw ctx.unsupported("resizing the batch or channel dimension");
        } else if (ctx.has(3)) {
            Dim[] sizes = ctx.dims(3, "sizes");
            if (!sizes[0].equals(xs[0]) || !sizes[1].equals(xs[1])) throw ctx.unsupported("resizing the batch or channel dimension");
            out[2] = sizes[2].value();
            out[3] = sizes[3].value();
            scale[2] = (double) out[2] / h;
            scale[3] = (double) out[3] / w;
        } else {
            throw ctx.unsupported("resize without scales or sizes");
        }
        if (out[2] < 1 || out[3] < 1) throw ctx.unsupported("resize to an empty image");
        long oh = out[2], ow = out[3], c = xs[1].value();
        SDVariable awT = ctx.shared("resize-linear-" + coord + "-" + w + "-" + ow + "-" + scale[3],
                () -> interpolation(w, ow, scale[3], coord).transpose().dup());
        SDVariable ahT = ctx.shared("resize-linear-" + coord + "-" + h + "-" + oh + "-" + scale[2],
                () -> interpolation(h, oh, scale[2], coord).transpose().dup());
        SDVariable x = ctx.sd.reshape(ctx.tmp(), ctx.var(0), -1, w);
        SDVariable y = ctx.sd.reshape(ctx.tmp(), ctx.sd.mmul(ctx.tmp(), x, awT), -1, c, h, ow);   // along the width
        y = ctx.sd.reshape(ctx.tmp(), ctx.sd.permute(ctx.tmp(), y, 0, 1, 3, 2), -1, h);
        y = ctx.sd.reshape(ctx.tmp(), ctx.sd.mmul(ctx.tmp(), y, ahT), -1, c, ow, oh);             // along the height
        y = ctx.sd.permute(ctx.out(), y, 0, 1, 3, 2);
        return List.of(ctx.dyn(y, new Dim[] {xs[0], xs[1], Dim.of(oh), Dim.of(ow)}));
    }

    /** The [out, in] matrix of 1-D linear interpolation from {@code in} samples to {@code out}. */
    static INDArray interpolation(long in, long out, double scale, String coord) {
        double[][] a = new double[(int) out][(int) in];
        for (int o = 0; o < out; o++) {
            double x = switch (coord) {
                case "align_corners" -> out == 1 ? 0 : o * (double) (in - 1) / (out - 1);
                case "asymmetric" -> o / scale;
                case "pytorch_half_pixel" -> out == 1 ? 0 : (o + 0.5) / scale - 0.5;
                default -> (o + 0.5) / scale - 0.5;
            };
            x = Math.max(0, Math.min(in - 1, x));
            int x0 = (int) Math.floor(x);
            int x1 = (int) Math.min(x0 + 1, in - 1);
            double t = x - x0;
            a[o][x0] += 1 - t;
            a[o][x1] += t;
        }
        return Nd4j.createFromArray(a);   // double; cast to the model's float type where it is used
    }
}
