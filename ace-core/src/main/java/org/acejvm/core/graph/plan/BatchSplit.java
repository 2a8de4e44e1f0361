package org.acejvm.core.graph.plan;

import static org.acejvm.core.graph.plan.StructuralVjps.axis;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;

/**
 * Whether a compiled graph treats the samples of its batch (axis 0 of the split feeds) independently, so that the
 * batch can be cut into parts that run on separate threads and whose results are joined: per-sample outputs
 * concatenated, batch sums (a loss summed over the samples) added.
 *
 * <p>Decided from the ops, not by trying: each value is a constant (weights, folded values, feeds that are not
 * split), per-sample (axis 0 holds the samples in order, one or more rows each, as after a reshape of [B, H C, T] to
 * [B H, C, T]), a sum over the samples, or derived from the batch size (shape arithmetic). An op is accepted only
 * when its rule below keeps the samples in order on axis 0; anything else, including every op without a rule, keeps
 * the batch whole. So a graph that mixes samples (a mean over the batch, a transpose of the sample axis, a batch size
 * used as a number) is never split, at the price of refusing some graphs that would have been safe.
 */
final class BatchSplit {
    private BatchSplit() {}

    /** How the parts' results of one output are joined. */
    enum Join { CONCAT, SUM, SAME }

    /** The verdict: null {@code whyNot} when the batch may be split, with how to join each output. */
    record Verdict(String whyNot, Map<String, Join> joins) {
        static Verdict no(String why) { return new Verdict(why, Map.of()); }
        boolean splits() { return whyNot == null; }
    }

    /** One op of the compiled forward pass: its input and output arrays, and whether it runs per call. */
    record Step(DifferentialFunction op, String[] inNames, INDArray[] in, String[] outNames, INDArray[] out,
                boolean dynamic, boolean fusedNormalisation) {}

    private enum Kind { CONSTANT, SAMPLE, SUM, SIZE }

    private static final Set<String> ELEMENTWISE = Set.of("add", "subtract", "multiply", "divide", "realdiv",
            "maximum", "minimum", "squaredsubtract", "reversesubtract", "reversedivide", "pow", "Pow", "relu",
            "swish", "sigmoid", "tanh", "rsqrt", "sqrt", "exp", "log", "abs", "neg", "ClipByValue", "add_scalar",
            "sub_scalar", "mul_scalar", "div_scalar", "rsub_scalar", "rdiv_scalar", "pow_scalar", "square", "erf",
            "gelu", "leakyrelu", "elu", "softplus", "cast", "identity", "hard_sigmoid", "relu6", "cube", "reciprocal",
            "sin", "cos", "floor", "ceil", "round", "sign", "log1p", "expm1", "zeros_like", "ones_like");
    /** Ops whose first input carries the samples and whose other inputs are weights: axis 0 is the batch. */
    private static final Set<String> SPATIAL = Set.of("conv1d", "conv2d", "conv3dnew", "deconv2d", "deconv3d",
            "depthwise_conv2d", "sconv2d", "maxpool2d", "avgpool2d", "pnormpool2d", "maxpool3dnew", "avgpool3dnew",
            "upsampling2d", "upsampling3d", "resize_bilinear", "resize_nearest_neighbor", "batchnorm");
    /** Ops whose value is a shape or size of their input. */
    private static final Set<String> SHAPES = Set.of("shape_of", "size", "rank", "size_at", "shapes_of");
    private static final Set<String> REDUCTIONS = Set.of("reduce_sum", "reduce_mean", "reduce_max", "reduce_min",
            "reduce_prod", "reduce_norm1", "reduce_norm2", "reduce_sqnorm", "reduce_logsumexp");
    /** Linear in a single batch-sum input (the others constant): the result is still a sum over the samples. */
    private static final Set<String> LINEAR = Set.of("multiply", "divide", "mul_scalar", "div_scalar", "neg",
            "identity", "reshape", "squeeze", "expand_dims", "cast");

    /**
     * @param split   the feeds cut along axis 0
     * @param batch   the part's number of samples (axis 0 of the split feeds)
     * @param outputs the values returned
     * @param loss    the differentiated value, or null
     */
    static Verdict of(List<Step> steps, Set<String> split, long batch, List<String> outputs, String loss) {
        Map<String, Kind> kinds = new HashMap<>();
        for (String f : split) kinds.put(f, Kind.SAMPLE);
        for (Step s : steps) {
            String why;
            try {
                why = visit(s, kinds, batch);
            } catch (RuntimeException e) { // an argument read differently than expected: keep the batch whole
                why = "could not read the arguments (" + e.getMessage() + ")";
            }
            if (why != null) {
                return Verdict.no(s.op().opName() + " '" + s.op().getOwnName() + "' (" + CompiledGraph.shapes(s.in()) + " -> "
                        + Arrays.toString(s.out()[0].shape()) + "): " + why);
            }
        }
        Map<String, Join> joins = new HashMap<>();
        for (String o : outputs) {
            Kind k = kinds.getOrDefault(o, Kind.CONSTANT);
            if (k == Kind.SIZE) return Verdict.no("output '" + o + "' depends on the batch size");
            joins.put(o, k == Kind.SAMPLE ? Join.CONCAT : k == Kind.SUM ? Join.SUM : Join.SAME);
        }
        if (loss != null && kinds.get(loss) != Kind.SUM) {
            return Verdict.no("the loss '" + loss + "' is not a sum over the samples");
        }
        if (loss != null) joins.put(loss, Join.SUM);
        return new Verdict(null, joins);
    }

    /** Sets the kinds of the step's outputs; returns why the batch cannot be split, or null. */
    private static String visit(Step s, Map<String, Kind> kinds, long batch) {
        Kind[] in = new Kind[s.inNames().length];
        boolean samples = false, sums = false, sizes = false;
        for (int i = 0; i < in.length; i++) {
            in[i] = kinds.getOrDefault(s.inNames()[i], Kind.CONSTANT);
            samples |= in[i] == Kind.SAMPLE;
            sums |= in[i] == Kind.SUM;
            sizes |= in[i] == Kind.SIZE;
        }
        String name = s.op().opName();
        if (!samples && !sums && !sizes) return null;
        if (SHAPES.contains(name)) { // computed at compile time; the batch size is in its value
            set(s, kinds, Kind.SIZE);
            return null;
        }
        if (sizes) {
            if (name.equals("fill") && in[0] == Kind.SIZE && !samples && !sums) {
                // one value everywhere (ones of the batch size): a part filled alone equals that part of the whole
                INDArray o = s.out()[0];
                set(s, kinds, o.rank() > 0 && o.size(0) % batch == 0 ? Kind.SAMPLE : Kind.SIZE);
                return null;
            }
            if (!s.dynamic() && !samples && !sums) { // shape arithmetic, folded at compile time
                set(s, kinds, Kind.SIZE);
                return null;
            }
            if (!shapeArgumentsOnly(name, in)) return "uses the batch size as a value";
        }
        Kind result;
        if (sums) {
            result = sumRule(name, in);
            if (result == null) return "combines a sum over the samples non-linearly";
        } else if (s.fusedNormalisation()) {
            result = Kind.SAMPLE; // over trailing axes only (NormalizeFusion's match)
        } else {
            String why = sampleRule(s, name, in, batch);
            if (why != null) return why;
            result = Kind.SAMPLE;
            if (name.startsWith("reduce_") && reducesBatch(s)) result = Kind.SUM;
        }
        if (result == Kind.SAMPLE) {
            for (INDArray o : s.out()) if (o.rank() == 0 || o.size(0) % batch != 0) return "output of shape " + Arrays.toString(o.shape());
        }
        set(s, kinds, result);
        return null;
    }

    private static Kind sumRule(String name, Kind[] in) {
        int sums = 0;
        for (Kind k : in) {
            if (k == Kind.SAMPLE || k == Kind.SIZE) return null;
            if (k == Kind.SUM) sums++;
        }
        if ((name.equals("add") || name.equals("subtract")) && sums == in.length) return Kind.SUM;
        if (!LINEAR.contains(name) || sums != 1) return null;
        if (name.equals("divide") && in[0] != Kind.SUM) return null;
        return Kind.SUM;
    }

    /** Null when the op keeps axis 0 the sample axis of its (per-sample) inputs. */
    private static String sampleRule(Step s, String name, Kind[] in, long batch) {
        DifferentialFunction op = s.op();
        long[] ia = op instanceof CustomOp c ? c.iArgs() : new long[0];
        INDArray x = s.in()[0];
        int outRank = s.out()[0].rank();
        if (ELEMENTWISE.contains(name)) {
            for (int i = 0; i < in.length; i++) {
                INDArray a = s.in()[i];
                if (in[i] == Kind.SAMPLE && (a.rank() != outRank || a.size(0) != s.out()[0].size(0))) return "broadcasts the samples";
                if (in[i] == Kind.CONSTANT && a.rank() == outRank && outRank > 0 && a.size(0) != 1) return "a constant spans axis 0";
            }
            return null;
        }
        if (SPATIAL.contains(name)) return onlyFirst(in) ? null : "samples in a weight input";
        if (REDUCTIONS.contains(name)) {
            if (!onlyFirst(in)) return "samples in an axis input";
            return reducesBatch(s) && !name.equals("reduce_sum") ? "reduces over the samples" : null;
        }
        switch (name) {
            case "softmax", "log_softmax" -> {
                return onlyFirst(in) && axis(ia.length > 0 ? ia[0] : -1, x.rank()) != 0 ? null : "along the samples";
            }
            case "matmul" -> {
                boolean tA = ia.length > 0 && ia[0] != 0, tR = ia.length > 2 && ia[2] != 0;
                INDArray b = s.in()[1];
                if (in[0] == Kind.SAMPLE && in[1] != Kind.SAMPLE) return x.rank() >= 3 || !tA && !tR ? null : "transposes the samples";
                if (in[0] == Kind.SAMPLE && in[1] == Kind.SAMPLE) {
                    return x.rank() >= 3 && b.rank() == x.rank() && b.size(0) == x.size(0) ? null : "multiplies samples together";
                }
                return "samples in the second factor";
            }
            case "concat" -> {
                if (ia.length == 0) return "axis not known";
                for (int i = 0; i < in.length; i++) {
                    if (in[i] != Kind.SAMPLE || s.in()[i].size(0) != x.size(0)) return "joins samples with constants";
                }
                return axis(ia[0], x.rank()) != 0 ? null : "joins along the samples";
            }
            case "reshape" -> {
                // c order: rows stay whole samples when axis 0 stays a multiple of the batch ([B, 3HC, T] -> [B H, 3C, T])
                return in[0] == Kind.SAMPLE && outRank > 0 && s.out()[0].size(0) % batch == 0 ? null
                        : "splits the samples across rows";
            }
            case "permute", "transpose" -> {
                long[] perm = StructuralVjps.permutation(op, s.in(), x.rank());
                return onlyFirst(in) && perm != null && perm[0] == 0 ? null : "moves the sample axis";
            }
            case "expand_dims" -> {
                return onlyFirst(in) && axis(ia.length > 0 ? ia[0] : s.in()[1].getLong(0), outRank) != 0 ? null
                        : "inserts an axis before the samples";
            }
            case "squeeze" -> {
                for (long a : ia) if (axis(a, x.rank()) == 0) return "removes the sample axis";
                return onlyFirst(in) && (ia.length > 0 || x.size(0) > 1) ? null : "may remove the sample axis";
            }
            case "slice" -> {
                long begin = ia.length > 0 ? ia[0] : s.in()[1].getLong(0);
                return onlyFirst(in) && begin == 0 && s.out()[0].size(0) == x.size(0) ? null : "slices the samples";
            }
            case "strided_slice" -> {
                return onlyFirst(in) && keepsAxisZero(ia, s) ? null : "slices the samples";
            }
            case "gather" -> {
                if (in.length < 2) return "indices not known";
                long axis = axis(ia.length > 0 ? ia[0] : 0, x.rank());
                if (in[0] == Kind.SAMPLE && in[1] == Kind.CONSTANT && axis != 0) return null;
                // a constant table looked up per sample (a schedule at each sample's timestep): one row per index
                if (in[0] == Kind.CONSTANT && in[1] == Kind.SAMPLE && axis == 0 && s.in()[1].rank() > 0) return null;
                return "gathers along the samples";
            }
            case "pad" -> {
                INDArray p = s.in()[1];
                return onlyFirst(in) && p.getLong(0, 0) == 0 && p.getLong(0, 1) == 0 ? null : "pads the samples";
            }
            case "tile" -> {
                long first = ia.length > 0 ? ia[0] : s.in()[1].getLong(0);
                return onlyFirst(in) && first == 1 ? null : "repeats the samples";
            }
            default -> { return "no rule for this op"; }
        }
    }

    /** strided_slice with arguments [begin mask, ellipsis, end mask, new axis, shrink axis, begin, end, strides]. */
    private static boolean keepsAxisZero(long[] ia, Step s) {
        if (ia.length < 5 || (ia[1] & 1) != 0 || (ia[3] & 1) != 0 || (ia[4] & 1) != 0) return false;
        int rank = s.in()[0].rank();
        long begin, stride;
        if (ia.length >= 5 + 3 * rank) {
            begin = ia[5];
            stride = ia[5 + 2 * rank];
        } else if (s.in().length >= 4) {
            begin = s.in()[1].getLong(0);
            stride = s.in()[3].getLong(0);
        } else {
            return false;
        }
        return ((ia[0] & 1) != 0 || begin == 0) && stride == 1 && s.out()[0].size(0) == s.in()[0].size(0);
    }

    private static boolean reducesBatch(Step s) {
        long[] dims = StructuralVjps.dimensions(s.op(), s.in()[0].rank());
        if (dims == null) throw new IllegalStateException("axes of " + s.op().opName() + " not known");
        for (long d : dims) if (d == 0) return true;
        return false;
    }

    /** Samples only in the first input; the others constants (weights, axes). */
    private static boolean onlyFirst(Kind[] in) {
        if (in[0] != Kind.SAMPLE) return false;
        for (int i = 1; i < in.length; i++) if (in[i] != Kind.CONSTANT) return false;
        return true;
    }

    /** The op reads batch-size values only where it expects a shape (reshape's target shape). */
    private static boolean shapeArgumentsOnly(String name, Kind[] in) {
        if (!name.equals("reshape")) return false;
        for (int i = 0; i < in.length; i++) if (in[i] == Kind.SIZE && i != 1) return false;
        return true;
    }

    private static void set(Step s, Map<String, Kind> kinds, Kind k) {
        for (String o : s.outNames()) kinds.put(o, k);
    }
}
