package org.acejvm.core.graph.plan;

import java.util.List;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One ND4J op bound once to its input and output arrays through an {@link OpContext} that every call reuses.
 *
 * <p>Why: through SameDiff's session an op costs 25-150 us of bookkeeping whatever it computes; a reused context with
 * preallocated outputs costs about 1-2 us. Legacy ops (transforms, scalar ops, reductions) take their inputs and
 * outputs from the context and their scalar or dimensions from the op object, which is only read.
 */
final class OpCall implements Runnable {
    private final DifferentialFunction op;
    private final OpContext ctx;
    private final INDArray[] arrays; // the context holds raw pointers: these keep the memory alive

    private OpCall(DifferentialFunction op, OpContext ctx, INDArray[] in, INDArray[] out) {
        this.op = op;
        this.ctx = ctx;
        this.arrays = new INDArray[in.length + out.length];
        System.arraycopy(in, 0, arrays, 0, in.length);
        System.arraycopy(out, 0, arrays, in.length, out.length);
    }

    /** A graph's op (custom or legacy) with its own arguments. */
    static OpCall of(DifferentialFunction op, INDArray[] in, INDArray[] out) {
        OpContext ctx = context(op, in);
        ctx.setOutputArrays(out);
        return new OpCall(op, ctx, in, out);
    }

    /** A custom op by name. */
    static OpCall custom(String name, long[] iArgs, double[] tArgs, boolean[] bArgs, INDArray[] in, INDArray... out) {
        DynamicCustomOp op = DynamicCustomOp.builder(name).build();
        OpContext ctx = Nd4j.getExecutioner().buildContext();
        if (iArgs != null && iArgs.length > 0) ctx.setIArguments(iArgs);
        if (tArgs != null && tArgs.length > 0) ctx.setTArguments(tArgs);
        if (bArgs != null && bArgs.length > 0) ctx.setBArguments(bArgs);
        ctx.setInputArrays(in);
        ctx.setOutputArrays(out);
        return new OpCall(op, ctx, in, out);
    }

    /** The output shapes of a graph's op for these inputs (computed once, at compile time). */
    static List<LongShapeDescriptor> outputShapes(DifferentialFunction op, INDArray[] in) {
        OpContext ctx = context(op, in);
        try {
            if (op instanceof CustomOp c) return Nd4j.getExecutioner().calculateOutputShape(c, ctx);
            return op.calculateOutputShape(ctx);
        } finally {
            close(ctx);
        }
    }

    /** A context with the op's own arguments (a custom op's) and these inputs. */
    private static OpContext context(DifferentialFunction op, INDArray[] in) {
        OpContext ctx = Nd4j.getExecutioner().buildContext();
        if (op instanceof CustomOp c) {
            ctx.setIArguments(c.iArgs());
            ctx.setTArguments(c.tArgs());
            ctx.setBArguments(c.bArgs());
            ctx.setDArguments(c.dArgs());
        }
        ctx.setInputArrays(in);
        return ctx;
    }

    @Override
    public void run() {
        if (op instanceof CustomOp c) Nd4j.getExecutioner().exec(c, ctx);
        else Nd4j.getExecutioner().exec((Op) op, ctx);
    }

    void close() { close(ctx); }

    private static void close(OpContext ctx) {
        try {
            ctx.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
