package org.acejvm.core.graph.plan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff graph flattened, for one set of feed shapes, into a list of ND4J calls on preallocated arrays, and
 * (with a loss) a list of input-gradient steps.
 *
 * <p>Compile time does what SameDiff's session repeats on every call: the op order, every output's shape, and the
 * ops that depend only on constants and shapes (the timestep embedding of a fixed t, shape arithmetic), which are
 * run once and kept. A dead value's array is handed to a later value of the same shape. The
 * backward steps write each gradient into an array taken when its first contribution is computed and given back
 * once the op that produced the value has passed it on, so gradients take little memory. Forward values live
 * until their last reader, a forward op or a backward step, and then lend their array to later values.
 */
final class CompiledGraph {
    private final Map<String, INDArray> feedSlots = new HashMap<>();
    private final Map<String, INDArray> results = new HashMap<>();
    private final List<Runnable> steps = new ArrayList<>();
    private final List<String> labels = new ArrayList<>(); // per step: the op, "<op> vjp" or "accumulate"
    private final List<OpCall> calls = new ArrayList<>();
    private INDArray gradient;
    private final long bytes;
    private int fusedCount;
    private final BatchSplit.Verdict split;
    /**
     * Every array the steps use. OpContexts and the Java loops' buffers do not keep an INDArray alive; without these
     * references the GC would free memory that later steps still write into.
     */
    private final List<Object> retained = new ArrayList<>();

    /**
     * @param outputs the values to return
     * @param loss    a scalar value to differentiate, or null for a forward-only graph
     * @param wrt     the fed value whose gradient is returned (with a loss)
     * @param split   the feeds that are one part of a batch cut along axis 0 (empty when the batch is whole): the
     *                plan then says whether the graph keeps the samples apart ({@link #split()})
     */
    CompiledGraph(SameDiff sd, Map<String, INDArray> feed, List<String> outputs, String loss, String wrt, Set<String> split) {
        List<DifferentialFunction> order = order(sd, outputs, loss);
        Map<String, INDArray> values = new HashMap<>();
        Set<String> dynamic = new HashSet<>();
        feed.forEach((name, array) -> {
            INDArray slot = Nd4j.createUninitialized(array.dataType(), array.shape(), 'c');
            feedSlots.put(name, slot);
            values.put(name, slot);
            dynamic.add(name);
        });
        Set<String> keep = new HashSet<>(outputs);
        if (loss != null) keep.add(loss);
        // fused normalisations: by the op producing y (where the fused step runs) and by the first op (the mean of x)
        Map<DifferentialFunction, NormalizeFusion.Match> fusedAt = NormalizeFusion.find(order, keep);
        Map<DifferentialFunction, NormalizeFusion.Match> startsAt = new IdentityHashMap<>(); // ops' equals is not identity
        Set<DifferentialFunction> skipped = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<NormalizeFusion.Match> active = new HashSet<>();
        Map<String, String> shapeOf = new HashMap<>(); // a skipped value -> a computed value of its shape
        fusedAt.values().forEach(m -> startsAt.put(m.start(), m));
        List<String[]> insOf = new ArrayList<>();
        for (DifferentialFunction op : order) {
            NormalizeFusion.Match m = fusedAt.get(op);
            insOf.add(m != null ? new String[] {m.x()} : op.argNames());
        }
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < order.size(); i++) { // both readings of a fused op: the match may be dropped below
            for (String in : insOf.get(i)) lastUse.put(in, i);
            for (String in : order.get(i).argNames()) lastUse.put(in, i);
        }
        Set<String> fromInput = loss == null ? Set.of() : fromInput(order, wrt);
        Set<String> toLoss = loss == null ? Set.of() : toLoss(order, loss);
        Set<String> saved = new HashSet<>(); // forward values that a backward step reads
        BufferPool pool = new BufferPool(), kept = new BufferPool(); // kept: never given back
        List<Vjp.Node> nodes = new ArrayList<>();
        List<BatchSplit.Step> forward = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            DifferentialFunction op = order.get(i);
            NormalizeFusion.Match start = startsAt.get(op);
            if (start != null && StructuralVjps.trailingLength(op, value(sd, values, start.x())) > 0
                    && FloatLoops.dense(value(sd, values, start.x())) && dynamic.contains(start.x())) {
                active.add(start);
                shapeOf.put(start.d(), start.x());
                skipped.addAll(start.replaced());
                skipped.remove(start.end());
            }
            if (skipped.contains(op)) {
                nodes.add(null);
                continue;
            }
            NormalizeFusion.Match fused = fusedAt.get(op);
            if (fused != null && !active.contains(fused)) fused = null;
            if (fused == null) insOf.set(i, op.argNames());
            String[] inNames = insOf.get(i);
            INDArray[] in = new INDArray[inNames.length];
            boolean isDynamic = false;
            for (int j = 0; j < in.length; j++) {
                String source = op.opName().equals("shape_of") ? shapeOf.getOrDefault(inNames[j], inNames[j]) : inNames[j];
                in[j] = value(sd, values, source);
                isDynamic |= dynamic.contains(inNames[j]);
            }
            if (op.opName().equals("shape_of")) isDynamic = false;
            String[] outNames = op.outputVariablesNames();
            if (fused != null) {
                INDArray x = in[0];
                int inner = StructuralVjps.trailingLength(fused.start(), x);
                INDArray y = pool.take(DataType.FLOAT, x.shape());
                INDArray rstd = kept.take(DataType.FLOAT, new long[] {x.length() / inner});
                values.put(outNames[0], y);
                dynamic.add(outNames[0]);
                steps.add(NormalizeFusion.forward(x, y, rstd, inner, fused.eps()));
                forward.add(new BatchSplit.Step(op, inNames, in, outNames, new INDArray[] {y}, true, true));
                labels.add("normalize (fused)");
                Vjp own = (n, k, g, t, s2) -> NormalizeFusion.backward(n.out()[0], rstd, g, t, inner);
                nodes.add(new Vjp.Node(op, in, new INDArray[] {y}, own));
                if (loss != null && onPath(outNames, fromInput, toLoss)) saved.add(outNames[0]);
                giveBackDead(inNames, i, lastUse, dynamic, keep, saved, values, pool);
                fusedCount++;
                continue;
            }
            List<LongShapeDescriptor> shapes = OpCall.outputShapes(op, in);
            if (shapes.size() != outNames.length) {
                throw new UnsupportedGraphException(op.opName() + " '" + op.getOwnName() + "': " + shapes.size()
                        + " output shapes for " + outNames.length + " outputs");
            }
            INDArray[] out = new INDArray[outNames.length];
            for (int j = 0; j < out.length; j++) {
                DataType type = shapes.get(j).dataType();
                long[] shape = shapes.get(j).getShape();
                out[j] = isDynamic ? pool.take(type, shape) : kept.take(type, shape);
                values.put(outNames[j], out[j]);
                if (isDynamic) dynamic.add(outNames[j]);
            }
            // SiLU on the Vector API where it runs; no ND4J call (and no OpContext) is bound for it then
            Runnable vector = isDynamic && op.opName().equals("swish") ? JavaKernels.silu(in[0], out[0]) : null;
            OpCall call = vector == null ? OpCall.of(op, in, out) : null;
            forward.add(new BatchSplit.Step(op, inNames, in, outNames, out, isDynamic, false));
            if (isDynamic) {
                steps.add(vector != null ? vector : call);
                labels.add(vector != null ? op.opName() + " (vector)" : op.opName());
                if (call != null) calls.add(call);
                Vjp.Node node = new Vjp.Node(op, in, out);
                nodes.add(node);
                if (loss != null && onPath(outNames, fromInput, toLoss)) {
                    for (int k = 0; k < inNames.length; k++) {
                        if (!fromInput.contains(inNames[k]) || !toLoss.contains(inNames[k])) continue;
                        for (int r : Vjps.reads(node, k)) saved.add(r < inNames.length ? inNames[r] : outNames[r - inNames.length]);
                    }
                }
            } else {
                call.run(); // depends on constants and shapes only: computed once
                call.close();
                nodes.add(null);
            }
            giveBackDead(inNames, i, lastUse, dynamic, keep, saved, values, pool);
        }
        for (String name : keep) results.put(name, value(sd, values, name));
        this.split = verdict(forward, feed, split, outputs, loss);
        retained.add(values);
        retained.add(nodes);
        retained.add(pool);
        retained.add(kept);
        long backwardBytes = 0;
        if (loss != null) backwardBytes = compileBackward(order, insOf, nodes, values, fromInput, toLoss, loss, wrt);
        bytes = pool.allocatedBytes() + kept.allocatedBytes() + backwardBytes;
    }

    /** Gives back the arrays of the values that step i read last and that no backward step reads. */
    private void giveBackDead(String[] inNames, int i, Map<String, Integer> lastUse, Set<String> dynamic, Set<String> keep,
                              Set<String> saved, Map<String, INDArray> values, BufferPool pool) {
        for (String name : new HashSet<>(Arrays.asList(inNames))) {
            Integer last = lastUse.get(name);
            if (last != null && last == i && dynamic.contains(name) && !keep.contains(name) && !feedSlots.containsKey(name)
                    && !saved.contains(name)) {
                pool.giveBack(values.get(name));
            }
        }
    }

    private static BatchSplit.Verdict verdict(List<BatchSplit.Step> forward, Map<String, INDArray> feed, Set<String> split,
                                            List<String> outputs, String loss) {
        if (split.isEmpty()) return BatchSplit.Verdict.no("the batch is whole");
        long batch = feed.get(split.iterator().next()).size(0);
        return BatchSplit.of(forward, split, batch, outputs, loss);
    }

    /** Whether this plan, compiled for one part of a batch, may run beside the plans of the other parts. */
    BatchSplit.Verdict split() { return split; }

    /** How many normalisations run as one fused kernel. */
    int fusedCount() { return fusedCount; }

    /** Assigns the feed, runs the steps; the outputs (and gradient) are copies. */
    Result run(Map<String, INDArray> feed) {
        feed.forEach((name, array) -> feedSlots.get(name).assign(array));
        if (PlanProfile.ENABLED) {
            for (int i = 0; i < steps.size(); i++) {
                long t0 = System.nanoTime();
                steps.get(i).run();
                PlanProfile.add(labels.get(i), System.nanoTime() - t0);
            }
        } else {
            for (Runnable step : steps) step.run();
        }
        Map<String, INDArray> out = new HashMap<>();
        results.forEach((name, array) -> out.put(name, array.dup()));
        return new Result(out, gradient == null ? null : gradient.dup());
    }

    record Result(Map<String, INDArray> outputs, INDArray gradient) {}

    long bytes() { return bytes; }

    void close() { calls.forEach(OpCall::close); }

    // ------------------------------------------------------------------------------------------- backward

    private long compileBackward(List<DifferentialFunction> order, List<String[]> insOf, List<Vjp.Node> nodes, Map<String, INDArray> values,
                                 Set<String> fromInput, Set<String> toLoss, String loss, String wrt) {
        INDArray lossValue = values.get(loss);
        if (lossValue == null || lossValue.length() != 1) throw new UnsupportedGraphException("loss '" + loss + "' is not a scalar");
        BufferPool pool = new BufferPool();
        Scratch scratch = new Scratch();
        retained.add(pool);
        retained.add(scratch);
        Map<String, INDArray> grads = new HashMap<>();
        INDArray seed = Nd4j.ones(lossValue.dataType(), lossValue.shape());
        retained.add(seed);
        grads.put(loss, seed);
        // A gradient may live in the array of another (a pass-through op's input gradient is its output gradient):
        // the pooled array each gradient lives in, and how many live gradients use it.
        Map<INDArray, INDArray> baseOf = new IdentityHashMap<>();
        Map<INDArray, Integer> owners = new IdentityHashMap<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            Vjp.Node node = nodes.get(i);
            DifferentialFunction op = order.get(i);
            String[] outs = op.outputVariablesNames();
            if (node == null || !onPath(outs, fromInput, toLoss)) continue;
            if (outs.length != 1) throw new UnsupportedGraphException(op.opName() + " has " + outs.length + " outputs on the gradient path");
            INDArray g = grads.get(outs[0]);
            if (g == null) continue; // its consumers contribute nothing
            String[] ins = insOf.get(i);
            boolean aliased = false;
            for (int k = 0; k < ins.length; k++) {
                if (!fromInput.contains(ins[k]) || !toLoss.contains(ins[k])) continue;
                if (!aliased && node.own() == null && grads.get(ins[k]) == null && g != seed && Vjps.passesThrough(node, k, g)) {
                    INDArray view = Arrays.equals(g.shape(), node.in()[k].shape()) ? g : g.reshape('c', node.in()[k].shape());
                    if (view == g || view.data().address() == g.data().address() && FloatLoops.dense(view)) {
                        INDArray base = baseOf.get(g);
                        owners.merge(base, 1, Integer::sum);
                        baseOf.put(view, base);
                        grads.put(ins[k], view);
                        aliased = true;
                        continue;
                    }
                }
                Vjp vjp = node.own() != null ? node.own() : Vjps.of(op.opName());
                if (vjp == null) throw new UnsupportedGraphException("no input gradient for op " + op.opName());
                INDArray sum = grads.get(ins[k]);
                INDArray target = sum == null ? pool.take(DataType.FLOAT, node.in()[k].shape()) : scratch.get(node.in()[k].shape(), 9);
                if (node.in()[k].dataType() != DataType.FLOAT) throw new UnsupportedGraphException(op.opName() + ": non-float input on the gradient path");
                Runnable step = vjp.bind(node, k, g, target, scratch);
                if (step == null) throw new UnsupportedGraphException("input gradient " + k + " of " + op.opName() + " '" + op.getOwnName()
                        + "' not supported for inputs " + shapes(node.in()) + (op instanceof CustomOp c
                        ? ", integer arguments " + Arrays.toString(c.iArgs()) + ", float arguments " + Arrays.toString(c.tArgs()) : ""));
                steps.add(step);
                labels.add(node.own() != null ? "normalize (fused) vjp" : op.opName() + " vjp");
                if (step instanceof OpCall c) calls.add(c);
                if (sum == null) {
                    grads.put(ins[k], target);
                    baseOf.put(target, target);
                    owners.put(target, 1);
                } else {
                    steps.add(OpCall.custom("add", null, null, null, new INDArray[] {sum, target}, sum));
                    labels.add("accumulate");
                }
            }
            INDArray base = baseOf.get(g);
            if (base != null && owners.merge(base, -1, Integer::sum) == 0) pool.giveBack(base);
            grads.put(outs[0], null);
        }
        INDArray g = grads.get(wrt);
        if (g == null) {
            gradient = Nd4j.zeros(DataType.FLOAT, values.get(wrt).shape());
        } else {
            gradient = g;
        }
        return pool.allocatedBytes() + scratch.allocatedBytes();
    }

    /** The values computed from the input {@code wrt}. */
    private static Set<String> fromInput(List<DifferentialFunction> order, String wrt) {
        Set<String> fromInput = new HashSet<>(Set.of(wrt));
        for (DifferentialFunction op : order) {
            for (String in : op.argNames()) {
                if (fromInput.contains(in)) {
                    fromInput.addAll(Arrays.asList(op.outputVariablesNames()));
                    break;
                }
            }
        }
        return fromInput;
    }

    /** The values the loss is computed from. */
    private static Set<String> toLoss(List<DifferentialFunction> order, String loss) {
        Set<String> toLoss = new HashSet<>(Set.of(loss));
        for (int i = order.size() - 1; i >= 0; i--) {
            DifferentialFunction op = order.get(i);
            for (String o : op.outputVariablesNames()) {
                if (toLoss.contains(o)) {
                    toLoss.addAll(Arrays.asList(op.argNames()));
                    break;
                }
            }
        }
        return toLoss;
    }

    static String shapes(INDArray[] arrays) {
        StringBuilder b = new StringBuilder();
        for (INDArray a : arrays) b.append(b.length() == 0 ? "" : ", ").append(Arrays.toString(a.shape()));
        return "[" + b + "]";
    }

    private static boolean onPath(String[] outs, Set<String> fromInput, Set<String> toLoss) {
        for (String o : outs) if (fromInput.contains(o) && toLoss.contains(o)) return true;
        return false;
    }

    // ------------------------------------------------------------------------------------------- graph walk

    /** The ops that the targets need, in an order where every op comes after the ops it reads from. */
    private static List<DifferentialFunction> order(SameDiff sd, List<String> outputs, String loss) {
        Map<String, DifferentialFunction> producer = new HashMap<>();
        for (DifferentialFunction op : sd.ops()) {
            for (String o : op.outputVariablesNames()) producer.put(o, op);
        }
        List<DifferentialFunction> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        Set<DifferentialFunction> onStack = Collections.newSetFromMap(new IdentityHashMap<>());
        List<String> targets = new ArrayList<>(outputs);
        if (loss != null) targets.add(loss);
        for (String target : targets) {
            DifferentialFunction root = producer.get(target);
            if (root == null || done.contains(root.getOwnName())) continue;
            stack.push(new Object[] {root, 0});
            onStack.add(root);
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                DifferentialFunction op = (DifferentialFunction) top[0];
                String[] ins = op.argNames();
                int next = (Integer) top[1];
                if (next < ins.length) {
                    top[1] = next + 1;
                    DifferentialFunction p = producer.get(ins[next]);
                    if (p != null && !done.contains(p.getOwnName())) {
                        if (!onStack.add(p)) throw new UnsupportedGraphException("cycle through " + p.getOwnName());
                        stack.push(new Object[] {p, 0});
                    }
                } else {
                    stack.pop();
                    onStack.remove(op);
                    if (done.add(op.getOwnName())) order.add(op);
                }
            }
        }
        return order;
    }

    /** A value already computed, a constant, or an unfed variable's current array. */
    private static INDArray value(SameDiff sd, Map<String, INDArray> values, String name) {
        INDArray v = values.get(name);
        if (v != null) return v;
        SDVariable var = sd.getVariable(name);
        if (var == null) throw new IllegalArgumentException("no value '" + name + "' in the graph");
        if (var.getVariableType() == VariableType.PLACEHOLDER) {
            throw new IllegalArgumentException("placeholder '" + name + "' is not in the feed");
        }
        INDArray a = var.getArr();
        if (a == null) throw new UnsupportedGraphException("value '" + name + "' (" + var.getVariableType() + ") has no array");
        values.put(name, a);
        return a;
    }
}
