package org.acejvm.core.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx;

/**
 * Import-time rewrites of the ONNX node list that lower the SameDiff op count (SameDiff runs op by op, so fewer ops
 * run faster). Each rewrite replaces a node pattern by one node of an internal op type (prefix {@code ace.}),
 * keeping the last node's name and outputs.
 *
 * <ul>
 *   <li>{@code Mul(x, Sigmoid(x))} (PyTorch's SiLU export) -> {@code ace.Swish(x)}, one op instead of two.</li>
 * </ul>
 */
final class Fusions {
    static final String SWISH = "ace.Swish";

    private Fusions() {}

    static List<Onnx.NodeProto> apply(List<Onnx.NodeProto> nodes, List<String> graphOutputs) {
        Map<String, Integer> uses = new HashMap<>();
        Map<String, Onnx.NodeProto> producer = new HashMap<>();
        for (Onnx.NodeProto n : nodes) {
            for (String in : n.getInputList()) uses.merge(in, 1, Integer::sum);
            for (String out : n.getOutputList()) producer.put(out, n);
        }
        graphOutputs.forEach(o -> uses.merge(o, 1, Integer::sum));
        Set<Onnx.NodeProto> removed = new HashSet<>();
        Map<Onnx.NodeProto, Onnx.NodeProto> replaced = new HashMap<>();
        for (Onnx.NodeProto n : nodes) {
            if (!n.getOpType().equals("Mul") || n.getInputCount() != 2) continue;
            for (int k = 0; k < 2; k++) {
                String x = n.getInput(k), s = n.getInput(1 - k);
                Onnx.NodeProto p = producer.get(s);
                if (p != null && p.getOpType().equals("Sigmoid") && p.getInputCount() == 1 && p.getInput(0).equals(x)
                        && n.getOutputCount() >= 1 && uses.get(s) == 1
                        && !removed.contains(p)) {
                    removed.add(p);
                    replaced.put(n, Onnx.NodeProto.newBuilder().setOpType(SWISH).setName(n.getName())
                            .addInput(x).addOutput(n.getOutput(0)).build());
                    break;
                }
            }
        }
        List<Onnx.NodeProto> out = new ArrayList<>(nodes.size());
        for (Onnx.NodeProto n : nodes) {
            if (removed.contains(n)) continue;
            out.add(replaced.getOrDefault(n, n));
        }
        return out;
    }
}
