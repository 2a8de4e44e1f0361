package org.acejvm.core.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.iter.NdIndexIterator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Constants, shapes and data movement: Constant, ConstantOfShape, Range, Shape, Size, Identity, Dropout, Cast,
 * Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Gather, Expand, Tile, Pad, Equal, Where.
 *
 * <p>Shape subgraphs ({@code Shape -> Gather -> Mul -> Unsqueeze -> Concat -> Reshape}) are computed at import on
 * {@link Value.Sym} values, so the only SameDiff op left is the final reshape, whose batch dimension becomes -1.
 */
final class ShapeMappers {
    private ShapeMappers() {}

    static void register(OpRegistry r) {
        r.selfFolding("Constant", ShapeMappers::constant)
                .selfFolding("ConstantOfShape", ShapeMappers::constantOfShape)
                .selfFolding("Range", ShapeMappers::range)
                .selfFolding("Shape", ShapeMappers::shape)
                .selfFolding("Size", ShapeMappers::size)
                .selfFolding("Identity", ctx -> List.of(ctx.in(0)))
                .selfFolding("Dropout", ctx -> List.of(ctx.in(0)))
                .op("Cast", ShapeMappers::cast)
                .op("Reshape", ShapeMappers::reshape)
                .op("Flatten", ShapeMappers::flatten)
                .op("Squeeze", ShapeMappers::squeeze)
                .op("Unsqueeze", ShapeMappers::unsqueeze)
                .op("Transpose", ShapeMappers::transpose)
                .op("Concat", ShapeMappers::concat)
                .op("Split", ShapeMappers::split)
                .op("Slice", ShapeMappers::slice)
                .op("Gather", ShapeMappers::gather)
                .op("Expand", ShapeMappers::expand)
                .op("Tile", ShapeMappers::tile)
                .op("Pad", ShapeMappers::pad)
                .op("Equal", ShapeMappers::equal)
                .op("Where", ShapeMappers::where);
    }

    /** A shape value, or a constant when it no longer depends on the batch. */
    static Value symOrConst(Dim[] elements, boolean scalar) {
        if (Shapes.isStatic(elements)) {
            long[] v = Shapes.values(elements);
            return new Value.Const(scalar ? Nd4j.scalar(v[0]) : Nd4j.createFromArray(v), null);
        }
        return new Value.Sym(elements, scalar);
    }

    /** Integer elements of a constant or shape value (rank 0 or 1). */
    static Dim[] elements(NodeContext ctx, int i) {
        if (ctx.rank(i) > 1) throw ctx.unsupported("shape arithmetic on a tensor of rank " + ctx.rank(i));
        return ctx.dims(i, "value");
    }

    static boolean scalarIn(NodeContext ctx, int i) {
        return ctx.rank(i) == 0;
    }

    static List<Value> same(NodeContext ctx) {
        return List.of(ctx.in(0));
    }

    // ---- constants ----

    private static List<Value> constant(NodeContext ctx) {
        INDArray t = ctx.attrTensor("value");
        if (t == null && ctx.hasAttr("value_float")) t = Nd4j.scalar((float) ctx.attrFloat("value_float", 0));
        if (t == null && ctx.hasAttr("value_int")) t = Nd4j.scalar(ctx.attrInt("value_int", 0));
        if (t == null && ctx.hasAttr("value_ints")) t = Nd4j.createFromArray(ctx.attrInts("value_ints", null));
        if (t == null && ctx.hasAttr("value_floats")) {
            List<Float> f = ctx.rawAttr("value_floats").getFloatsList();
            float[] a = new float[f.size()];
            for (int i = 0; i < a.length; i++) a[i] = f.get(i);
            t = Nd4j.createFromArray(a);
        }
        if (t == null) throw ctx.unsupported("only value, value_float(s) and value_int(s) constants are supported");
        return List.of(new Value.Const(t, null));
    }

    private static List<Value> constantOfShape(NodeContext ctx) {
        Dim[] dims = ctx.dims(0, "shape");
        if (!Shapes.isStatic(dims)) throw ctx.unsupported("a batch-dependent shape " + Shapes.str(dims));
        INDArray v = ctx.attrTensor("value");
        DataType dt = v == null ? DataType.FLOAT : v.dataType();
        long[] shape = Shapes.values(dims);
        ctx.reserveConstant(shape, dt);
        INDArray out = shape.length == 0 ? Nd4j.scalar(dt, 0) : Nd4j.create(dt, shape);
        if (v != null && out.length() > 0) out.assign(v.getDouble(0));
        return List.of(new Value.Const(out, null));
    }

    private static List<Value> range(NodeContext ctx) {
        double start = ctx.scalar(0, "start"), limit = ctx.scalar(1, "limit"), delta = ctx.scalar(2, "delta");
        DataType dt = ctx.constant(0, "start").dataType();
        long n = Math.max(0, (long) Math.ceil((limit - start) / delta)); // delta 0: Long.MAX_VALUE, refused below
        ctx.reserveConstant(new long[] {n}, DataType.DOUBLE);
        INDArray out = Nd4j.create(DataType.DOUBLE, n);
        for (long i = 0; i < n; i++) out.putScalar(i, start + i * delta);
        return List.of(new Value.Const(out.castTo(dt), null));
    }

    private static List<Value> shape(NodeContext ctx) {
        Dim[] s = ctx.shape(0);
        int r = s.length;
        int start = (int) ctx.attrInt("start", 0), end = (int) ctx.attrInt("end", r);
        start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
        end = Math.max(0, Math.min(r, end < 0 ? end + r : end));
        return List.of(symOrConst(Arrays.copyOfRange(s, start, Math.max(start, end)), false));
    }

    private static List<Value> size(NodeContext ctx) {
        Dim[] s = ctx.shape(0);
        return List.of(symOrConst(new Dim[] {Shapes.product(s, 0, s.length)}, true));
    }

    // ---- type ----

    private static List<Value> cast(NodeContext ctx) {
        DataType to = OnnxTensors.dataType((int) ctx.attrInt("to", 1), "Cast target");
        if (ctx.isSym(0)) {
            if (to.isIntType()) return same(ctx);
            throw ctx.unsupported("cast of a batch-dependent shape value to " + to);
        }
        SDVariable x = ctx.var(0);
        if (to.isFPType()) {
            // every float tensor computes in the model's working type: float-to-float casts are identities
            if (x.dataType().isFPType()) return same(ctx);
            return List.of(ctx.dyn(x.castTo(ctx.out(), ctx.floatType()), ctx.shape(0)));
        }
        if (x.dataType() == to) return same(ctx);
        return List.of(ctx.dyn(x.castTo(ctx.out(), to), ctx.shape(0)));
    }

    // ---- reshapes ----

    /** Reshape of input 0 to {@code target}; no op when nothing changes. */
    static Value reshapeTo(NodeContext ctx, Dim[] target) {
        Dim[] in = ctx.shape(0);
        Dim total = Shapes.product(in, 0, in.length), got = Shapes.product(target, 0, target.length);
        if (!total.equals(got)) {
            throw new ShapeException("cannot reshape " + Shapes.str(in) + " to " + Shapes.str(target)
                    + (Shapes.isStatic(target) && !total.known()
                    ? " (the export fixed the batch size; export with dynamic_axes on axis 0)" : ""));
        }
        if (ctx.isSym(0)) {
            if (target.length > 1) throw ctx.unsupported("reshape of a shape value to rank " + target.length);
            return new Value.Sym(((Value.Sym) ctx.in(0)).elements(), target.length == 0);
        }
        if (Arrays.equals(in, target)) return ctx.in(0);
        return ctx.dyn(ctx.sd.reshape(ctx.out(), ctx.var(0), Shapes.forReshape(target)), target);
    }

    private static List<Value> reshape(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        Dim[] spec = ctx.dims(1, "shape");
        boolean allowZero = ctx.attrInt("allowzero", 0) != 0;
        Dim[] target = new Dim[spec.length];
        int infer = -1;
        for (int i = 0; i < spec.length; i++) {
            Dim d = spec[i];
            if (d.known() && d.factor() == -1) {
                if (infer >= 0) throw new ShapeException("reshape with two -1 entries: " + Shapes.str(spec));
                infer = i;
            } else if (d.known() && d.factor() == 0 && !allowZero) {
                if (i >= in.length) throw new ShapeException("reshape entry 0 at " + i + " beyond input rank " + in.length);
                target[i] = in[i];
            } else {
                target[i] = d;
            }
        }
        if (infer >= 0) {
            Dim known = Dim.of(1);
            for (int i = 0; i < target.length; i++) if (i != infer) known = known.times(target[i]);
            target[infer] = Shapes.product(in, 0, in.length).dividedBy(known);
        }
        return List.of(reshapeTo(ctx, target));
    }

    private static List<Value> flatten(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        int axis = (int) ctx.attrInt("axis", 1);
        if (axis < 0) axis += in.length;
        return List.of(reshapeTo(ctx, new Dim[] {Shapes.product(in, 0, axis), Shapes.product(in, axis, in.length)}));
    }

    private static long[] axesArg(NodeContext ctx) {
        if (ctx.opset() >= 13) return ctx.has(1) ? ctx.longs(1, "axes") : null;
        return ctx.attrInts("axes", null);
    }

    private static List<Value> squeeze(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        long[] axes = axesArg(ctx);
        boolean[] drop = new boolean[in.length];
        if (axes == null) {
            for (int i = 0; i < in.length; i++) drop[i] = in[i].equals(Dim.of(1));
        } else {
            for (long a : axes) {
                int ax = Shapes.axis(a, in.length);
                if (!in[ax].equals(Dim.of(1))) throw new ShapeException("squeeze of axis " + a + " with size " + in[ax]);
                drop[ax] = true;
            }
        }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < in.length; i++) if (!drop[i]) out.add(in[i]);
        return List.of(reshapeTo(ctx, out.toArray(new Dim[0])));
    }

    private static List<Value> unsqueeze(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        long[] axes = axesArg(ctx);
        if (axes == null) throw ctx.unsupported("Unsqueeze without axes");
        int rank = in.length + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) added[Shapes.axis(a, rank)] = true;
        Dim[] out = new Dim[rank];
        for (int i = 0, j = 0; i < rank; i++) out[i] = added[i] ? Dim.of(1) : in[j++];
        return List.of(reshapeTo(ctx, out));
    }

    private static List<Value> transpose(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        long[] perm = ctx.attrInts("perm", null);
        int[] p = new int[in.length];
        for (int i = 0; i < p.length; i++) p[i] = perm == null ? p.length - 1 - i : Shapes.axis(perm[i], in.length);
        Dim[] out = new Dim[in.length];
        boolean identity = true;
        for (int i = 0; i < p.length; i++) {
            out[i] = in[p[i]];
            identity &= p[i] == i;
        }
        if (identity) return same(ctx);
        return List.of(ctx.dyn(ctx.sd.permute(ctx.out(), ctx.var(0), p), out));
    }

    // ---- joins and parts ----

    private static List<Value> concat(NodeContext ctx) {
        boolean sym = false;
        for (int i = 0; i < ctx.inputCount(); i++) sym |= ctx.isSym(i);
        if (sym) {
            List<Dim> all = new ArrayList<>();
            for (int i = 0; i < ctx.inputCount(); i++) all.addAll(Arrays.asList(elements(ctx, i)));
            return List.of(symOrConst(all.toArray(new Dim[0]), false));
        }
        int rank = ctx.rank(0);
        int axis = Shapes.axis(ctx.attrInt("axis", 0), rank);
        List<SDVariable> parts = new ArrayList<>();
        Dim[] out = ctx.shape(0).clone();
        out[axis] = Dim.of(0);
        for (int i = 0; i < ctx.inputCount(); i++) {
            Dim[] s = ctx.shape(i);
            if (s.length != rank) throw new ShapeException("concat of ranks " + rank + " and " + s.length);
            if (s[axis].equals(Dim.of(0))) continue; // empty part
            out[axis] = out[axis].factor() == 0 && !out[axis].batch() ? s[axis] : out[axis].plus(s[axis]);
            parts.add(ctx.var(i));
        }
        if (parts.size() == 1) return List.of(ctx.dyn(parts.get(0), out));
        return List.of(ctx.dyn(ctx.sd.concat(ctx.out(), axis, parts.toArray(new SDVariable[0])), out));
    }

    /** x[..., begin:begin+size, ...] along one axis, everything along the others; one SameDiff op. */
    static SDVariable sliceAxis(NodeContext ctx, String name, SDVariable x, Dim[] shape, int axis, long begin, long size) {
        int[] b = new int[shape.length];
        int[] s = new int[shape.length];
        Arrays.fill(s, -1);
        b[axis] = (int) begin;
        s[axis] = (int) size;
        return ctx.sd.slice(name, x, b, s);
    }

    private static List<Value> split(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        int axis = Shapes.axis(ctx.attrInt("axis", 0), in.length);
        long dim = in[axis].value();
        long[] sizes = ctx.opset() >= 13 ? (ctx.has(1) ? ctx.longs(1, "split") : null) : ctx.attrInts("split", null);
        int n = ctx.outputCount();
        if (sizes == null) {
            if (dim % n != 0) throw new ShapeException("cannot split " + dim + " into " + n + " equal parts");
            sizes = new long[n];
            Arrays.fill(sizes, dim / n);
        }
        if (ctx.isSym(0)) throw ctx.unsupported("split of a shape value");
        SDVariable x = ctx.var(0);
        List<Value> outs = new ArrayList<>();
        long begin = 0;
        for (int k = 0; k < sizes.length; k++) {
            Dim[] s = in.clone();
            s[axis] = Dim.of(sizes[k]);
            outs.add(ctx.dyn(sliceAxis(ctx, ctx.out(k), x, in, axis, begin, sizes[k]), s));
            begin += sizes[k];
        }
        if (begin != dim) throw new ShapeException("split sizes " + Arrays.toString(sizes) + " do not add up to " + dim);
        return outs;
    }

    private static List<Value> slice(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        Dim[] starts = ctx.dims(1, "starts"), ends = ctx.dims(2, "ends");
        long[] axes = ctx.has(3) ? ctx.longs(3, "axes") : null;
        long[] steps = ctx.has(4) ? ctx.longs(4, "steps") : null;
        int r = in.length;
        long[] begin = new long[r], end = new long[r], step = new long[r];
        boolean[] full = new boolean[r];
        Arrays.fill(full, true);
        Arrays.fill(step, 1);
        Dim[] out = in.clone();
        boolean negative = false;
        for (int k = 0; k < starts.length; k++) {
            int ax = Shapes.axis(axes == null ? k : axes[k], r);
            long st = steps == null ? 1 : steps[k];
            if (st == 0) throw ctx.unsupported("slice with step 0");
            Dim d = in[ax];
            if (d.batch()) {
                boolean endsAtN = ends[k].equals(d) || (ends[k].known() && ends[k].factor() >= Integer.MAX_VALUE);
                if (starts[k].equals(Dim.of(0)) && endsAtN && st == 1) continue; // the whole batch
                throw ctx.unsupported("slicing the batch dimension (" + starts[k] + ":" + ends[k] + ":" + st + ")");
            }
            long n = d.value();
            long s = starts[k].value();
            long e = ends[k].known() ? ends[k].value() : ends[k].factor() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
            if (s < 0) s += n;
            if (e < 0 && e > Long.MIN_VALUE / 2) e += n;
            long size;
            if (st > 0) {
                s = Math.max(0, Math.min(n, s));
                e = Math.max(0, Math.min(n, e));
                size = e > s ? (e - s + st - 1) / st : 0;
            } else {
                negative = true;
                s = Math.max(0, Math.min(n - 1, s));
                e = Math.max(-1, Math.min(n - 1, e));
                size = s > e ? (s - e - st - 1) / -st : 0;
            }
            begin[ax] = s;
            end[ax] = e;
            step[ax] = st;
            out[ax] = Dim.of(size);
            full[ax] = s == 0 && e == n && st == 1;
        }
        if (ctx.isSym(0)) {
            Dim[] el = ((Value.Sym) ctx.in(0)).elements();
            List<Dim> picked = new ArrayList<>();
            if (full[0]) picked.addAll(Arrays.asList(el));
            else for (long i = begin[0]; step[0] > 0 ? i < end[0] : i > end[0]; i += step[0]) picked.add(el[(int) i]);
            return List.of(symOrConst(picked.toArray(new Dim[0]), false));
        }
        boolean all = true, unit = true;
        for (int i = 0; i < r; i++) {
            all &= full[i];
            unit &= step[i] == 1;
        }
        if (all) return same(ctx);
        if (negative) {
            // ND4J's strided_slice crashes on negative strides: constants are sliced here, run-time tensors refused
            if (!ctx.isConst(0)) throw ctx.unsupported("negative slice steps on run-time tensors");
            for (int i = 0; i < r; i++) if (full[i]) end[i] = in[i].value();
            return List.of(new Value.Const(sliceConstant(ctx.constant(0, "data"), begin, step, Shapes.values(out)), null));
        }
        SDVariable x = ctx.var(0);
        if (unit) {
            int[] b = new int[r], s = new int[r];
            for (int i = 0; i < r; i++) {
                b[i] = full[i] ? 0 : (int) begin[i];
                s[i] = full[i] ? -1 : (int) out[i].value();
            }
            return List.of(ctx.dyn(ctx.sd.slice(ctx.out(), x, b, s), out));
        }
        int beginMask = 0, endMask = 0;
        for (int i = 0; i < r; i++) {
            if (full[i]) {
                beginMask |= 1 << i;
                endMask |= 1 << i;
            } else if (step[i] < 0 && end[i] < 0) {
                endMask |= 1 << i; // down to and including element 0
            }
        }
        return List.of(ctx.dyn(ctx.sd.stridedSlice(ctx.out(), x, begin, end, step, beginMask, endMask, 0, 0, 0), out));
    }

    private static INDArray sliceConstant(INDArray a, long[] begin, long[] step, long[] outShape) {
        INDArray out = Nd4j.create(a.dataType(), outShape);
        if (out.length() == 0) return out;
        boolean integer = !a.dataType().isFPType();
        NdIndexIterator it = new NdIndexIterator('c', outShape);
        long[] src = new long[outShape.length];
        while (it.hasNext()) {
            long[] o = it.next();
            for (int i = 0; i < o.length; i++) src[i] = begin[i] + o[i] * step[i];
            if (integer) out.putScalar(o, a.getLong(src));
            else out.putScalar(o, a.getDouble(src));
        }
        return out;
    }

    private static List<Value> gather(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        int axis = Shapes.axis(ctx.attrInt("axis", 0), in.length);
        INDArray idx = ctx.constant(1, "indices");
        long[] flat = idx.isEmpty() ? new long[0] : idx.castTo(DataType.LONG).reshape(-1).toLongVector();
        if (!in[axis].batch()) {
            long n = in[axis].value();
            for (int i = 0; i < flat.length; i++) {
                if (flat[i] < 0) flat[i] += n;
                if (flat[i] < 0 || flat[i] >= n) throw new ShapeException("gather index out of range for size " + n);
            }
        } else {
            for (long f : flat) if (f < 0) throw ctx.unsupported("negative gather index on the batch dimension");
        }
        if (ctx.isSym(0)) {
            Dim[] el = ((Value.Sym) ctx.in(0)).elements();
            Dim[] picked = new Dim[flat.length];
            for (int i = 0; i < flat.length; i++) picked[i] = el[(int) flat[i]];
            if (idx.rank() > 1) throw ctx.unsupported("gather of a shape value with rank-" + idx.rank() + " indices");
            return List.of(symOrConst(picked, idx.rank() == 0));
        }
        if (flat.length == 0) throw ctx.unsupported("gather with no indices");
        Dim[] out = Shapes.concat(Shapes.concat(Arrays.copyOfRange(in, 0, axis), Shapes.of(idx.shape())),
                Arrays.copyOfRange(in, axis + 1, in.length));
        // runs of consecutive indices as slices (SameDiff's gather gradient breaks with two gathers in one graph)
        SDVariable x = ctx.var(0);
        List<SDVariable> parts = new ArrayList<>();
        int runStart = 0;
        for (int i = 1; i <= flat.length; i++) {
            if (i == flat.length || flat[i] != flat[i - 1] + 1) {
                parts.add(sliceAxis(ctx, ctx.tmp(), x, in, axis, flat[runStart], i - runStart));
                runStart = i;
            }
        }
        SDVariable y = parts.size() == 1 ? parts.get(0) : ctx.sd.concat(ctx.tmp(), axis, parts.toArray(new SDVariable[0]));
        return List.of(ctx.dyn(ctx.sd.reshape(ctx.out(), y, Shapes.forReshape(out)), out));
    }

    // ---- broadcasting copies ----

    private static List<Value> expand(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        Dim[] target = ctx.dims(1, "shape");
        Dim[] out = Shapes.broadcast(in, target);
        if (Arrays.equals(in, out)) return same(ctx);
        return List.of(tileTo(ctx, ctx.var(0), in, out));
    }

    /** Repeats the size-1 dimensions of x (after left-padding its rank) to reach {@code out}. */
    static Value tileTo(NodeContext ctx, SDVariable x, Dim[] in, Dim[] out) {
        Dim[] aligned = new Dim[out.length];
        for (int i = 0; i < out.length; i++) {
            int j = i - (out.length - in.length);
            aligned[i] = j >= 0 ? in[j] : Dim.of(1);
        }
        if (aligned.length != in.length) x = ctx.sd.reshape(ctx.tmp(), x, Shapes.forReshape(aligned));
        int[] reps = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            if (aligned[i].equals(out[i])) {
                reps[i] = 1;
            } else if (aligned[i].equals(Dim.of(1)) && out[i].known()) {
                reps[i] = (int) out[i].value();
            } else {
                throw ctx.unsupported("expanding dimension " + i + " from " + aligned[i] + " to " + out[i]);
            }
        }
        return ctx.dyn(ctx.sd.tile(ctx.out(), x, reps), out);
    }

    private static List<Value> tile(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        long[] reps = ctx.longs(1, "repeats");
        if (reps.length != in.length) throw new ShapeException("tile repeats " + Arrays.toString(reps) + " for rank " + in.length);
        Dim[] out = new Dim[in.length];
        int[] r = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i].times(Dim.of(reps[i]));
            r[i] = (int) reps[i];
        }
        return List.of(ctx.dyn(ctx.sd.tile(ctx.out(), ctx.var(0), r), out));
    }

    private static List<Value> pad(NodeContext ctx) {
        Dim[] in = ctx.shape(0);
        String mode = ctx.attrString("mode", "constant");
        long[] pads = ctx.opset() >= 11 ? ctx.longs(1, "pads") : ctx.attrInts("pads", null);
        double value = ctx.opset() >= 11 ? (ctx.has(2) ? ctx.scalar(2, "constant_value") : 0) : ctx.attrFloat("value", 0);
        int r = in.length;
        if (pads == null || pads.length != 2 * r) throw ctx.unsupported("pads " + Arrays.toString(pads) + " for rank " + r);
        if (ctx.inputCount() > 3 && ctx.has(3)) throw ctx.unsupported("the axes input");
        boolean zero = true;
        int[][] p = new int[r][2];
        Dim[] out = in.clone();
        for (int i = 0; i < r; i++) {
            if (pads[i] < 0 || pads[i + r] < 0) throw ctx.unsupported("negative pads (cropping)");
            p[i][0] = (int) pads[i];
            p[i][1] = (int) pads[i + r];
            zero &= p[i][0] == 0 && p[i][1] == 0;
            if (p[i][0] + p[i][1] > 0) out[i] = in[i].plus(Dim.of(p[i][0] + p[i][1]));
        }
        if (zero) return same(ctx);
        PadMode m;
        switch (mode) {
            case "constant": m = PadMode.CONSTANT; break;
            case "reflect": m = PadMode.REFLECT; break;
            default: throw ctx.unsupported("pad mode '" + mode + "'");
        }
        INDArray pa = Nd4j.createFromArray(p);
        SDVariable pv = ctx.shared(ctx.keyOf(1, "pads" + Arrays.deepToString(p)), () -> pa);
        return List.of(ctx.dyn(ctx.sd.nn().pad(ctx.out(), ctx.var(0), pv, m, value), out));
    }

    // ---- comparisons of shape values ----

    private static List<Value> equal(NodeContext ctx) {
        if (!ctx.isSym(0) && !ctx.isSym(1)) {
            if (ctx.isConst(0) && ctx.isConst(1)) {
                INDArray a = ctx.constant(0, "A"), b = ctx.constant(1, "B");
                ctx.reserveConstant(Shapes.values(Shapes.broadcast(ctx.shape(0), ctx.shape(1))), DataType.DOUBLE);
                return List.of(new Value.Const(a.castTo(DataType.DOUBLE).eq(b.castTo(DataType.DOUBLE)), null));
            }
            throw ctx.unsupported("Equal on run-time values");
        }
        Dim[] a = elements(ctx, 0), b = elements(ctx, 1);
        int n = Math.max(a.length, b.length);
        boolean[] eq = new boolean[n];
        for (int i = 0; i < n; i++) {
            Dim x = a[a.length == 1 ? 0 : i], y = b[b.length == 1 ? 0 : i];
            if (x.equals(y)) eq[i] = true;
            else if (x.known() && y.known()) eq[i] = false;
            else if ((x.known() && x.factor() <= 0) || (y.known() && y.factor() <= 0)) eq[i] = false; // N >= 1
            else throw new ShapeException("cannot decide " + x + " == " + y + " at import");
        }
        boolean scalar = scalarIn(ctx, 0) && scalarIn(ctx, 1);
        return List.of(new Value.Const(scalar ? Nd4j.scalar(eq[0]) : Nd4j.createFromArray(eq), null));
    }

    private static List<Value> where(NodeContext ctx) {
        if (!ctx.isSym(1) && !ctx.isSym(2)) {
            // on constants (folded at import) or at run time; no gradient with respect to the condition
            Dim[] out = Shapes.broadcast(Shapes.broadcast(ctx.shape(0), ctx.shape(1)), ctx.shape(2));
            return List.of(ctx.dyn(ctx.sd.where(ctx.out(), ctx.var(1), ctx.var(2), ctx.var(0)), out));
        }
        INDArray cond = ctx.constant(0, "condition");
        Dim[] x = elements(ctx, 1), y = elements(ctx, 2);
        int n = (int) Math.max(cond.length(), Math.max(x.length, y.length));
        Dim[] out = new Dim[n];
        for (int i = 0; i < n; i++) {
            boolean c = cond.getDouble(cond.length() == 1 ? 0 : i) != 0;
            out[i] = c ? x[x.length == 1 ? 0 : i] : y[y.length == 1 ? 0 : i];
        }
        return List.of(symOrConst(out, cond.rank() == 0 && scalarIn(ctx, 1) && scalarIn(ctx, 2)));
    }
}
