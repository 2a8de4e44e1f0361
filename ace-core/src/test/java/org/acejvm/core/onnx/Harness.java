package org.acejvm.core.onnx;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One call of an imported model in a fresh SameDiff, with loss = sum_i(out_i * R_i): float inputs are VARIABLEs
 * (SameDiff differentiates only those), integer inputs constants.
 */
final class Harness {
    final SameDiff sd = SameDiff.create();
    final List<SDVariable> inputs = new ArrayList<>();
    final List<String> differentiable = new ArrayList<>();
    final SDVariable[] outputs;
    final SDVariable loss;

    Harness(OnnxModel model, List<INDArray> in, List<INDArray> weights) {
        DataType ft = model.floatType();
        for (int i = 0; i < in.size(); i++) {
            INDArray a = in.get(i);
            String name = "in" + i;
            if (a.dataType().isFPType()) {
                inputs.add(sd.var(name, a.castTo(ft)));
                differentiable.add(name);
            } else {
                inputs.add(sd.constant(name, a));
            }
        }
        outputs = model.call(sd, "net", inputs.toArray(new SDVariable[0]));
        SDVariable l = null;
        for (int i = 0; i < outputs.length; i++) {
            SDVariable term = outputs[i].mul(sd.constant("R" + i, weights.get(i).castTo(ft))).sum();
            l = l == null ? term : l.add(term);
        }
        loss = sd.identity("loss", l);
        sd.setLossVariables("loss");
    }

    List<INDArray> forward() {
        String[] names = new String[outputs.length];
        for (int i = 0; i < names.length; i++) names[i] = outputs[i].name();
        Map<String, INDArray> out = sd.output(new HashMap<>(), names);
        List<INDArray> r = new ArrayList<>();
        for (String n : names) r.add(out.get(n).dup());
        return r;
    }

    double loss() {
        return sd.output(new HashMap<>(), "loss").get("loss").getDouble(0);
    }

    /** d loss / d input, per differentiable input in order. */
    List<INDArray> gradients() {
        PrintStream saved = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        Map<String, INDArray> g;
        try {
            g = sd.calculateGradients(new HashMap<>(), differentiable);
        } finally {
            System.setOut(saved);
        }
        List<INDArray> r = new ArrayList<>();
        for (String n : differentiable) r.add(g.get(n).dup());
        return r;
    }
}
