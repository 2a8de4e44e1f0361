package org.acejvm.core.graph.plan;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The input gradient (vector-Jacobian product) of one op type, bound at compile time to the arrays of one node.
 * Only input gradients: weights are constants, so nothing computes their gradients.
 */
interface Vjp {
    /**
     * A step that writes d loss / d {@code node.in()[k]} into {@code target} (the input's shape), given the gradient
     * of the node's (single) output; temporaries come from {@code scratch}. Returns null when this op's arguments
     * are not supported (the graph then runs on SameDiff).
     */
    Runnable bind(Node node, int k, INDArray gradOut, INDArray target, Scratch scratch);

    /**
     * One op of a compiled graph with its bound arrays; {@code own} is the gradient of a fused group of ops (whose
     * {@code op} is the group's last graph op), null for a single op.
     */
    record Node(DifferentialFunction op, INDArray[] in, INDArray[] out, Vjp own) {
        Node(DifferentialFunction op, INDArray[] in, INDArray[] out) { this(op, in, out, null); }
    }
}
