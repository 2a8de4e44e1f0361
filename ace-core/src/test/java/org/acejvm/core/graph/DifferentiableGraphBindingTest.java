package org.acejvm.core.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.acejvm.core.ImageSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Regression: in SameDiff 1.0.0-M2.1 SDVariable.setArray ASSIGNS in place when the variable already holds an array of
 * the same shape, and adopts (does not copy) a non-view array of a new shape. Binding a caller's array directly once
 * let the next call overwrite the data of the caller whose batch changed the shape.
 */
class DifferentiableGraphBindingTest {

    private static INDArray batch(float first) {
        // dup(): SameDiff copies views when binding but adopts plain arrays, and only the latter were overwritten
        return Nd4j.createFromArray(first, 2f, 3f, 4f, 5f, 6f, 7f, 8f).reshape(2, 1, 2, 2).dup();
    }

    @Test
    void callsNeverModifyTheCallersArrays() {
        SameDiff sd = SameDiff.create();
        SDVariable x = DifferentiableGraph.inputVariable(sd, "x", new ImageSpec(1, 2, 2)); // bound to a batch of 1
        SDVariable loss = x.mul(x).sum("loss");
        DifferentiableGraph g = new DifferentiableGraph(sd, x, loss);

        INDArray a = batch(1f);     // batch of 2: a different shape from the initial binding
        INDArray b = batch(0f);
        INDArray aCopy = a.dup();
        INDArray bCopy = b.dup();

        assertThat(g.forward(a, Map.of(), "loss").get("loss").getDouble(0)).isEqualTo(204.0);
        assertThat(g.forward(b, Map.of(), "loss").get("loss").getDouble(0)).isEqualTo(203.0);
        assertThat(a).as("first caller's array after a second call").isEqualTo(aCopy);
        assertThat(g.forwardBackward(a, Map.of(), List.of()).gradient()).isEqualTo(aCopy.mul(2));
        assertThat(b).isEqualTo(bCopy);

        INDArray one = Nd4j.ones(DataType.FLOAT, 1, 1, 2, 2);
        assertThat(g.forward(one, Map.of(), "loss").get("loss").getDouble(0)).isEqualTo(4.0);
        assertThat(g.forward(b, Map.of(), "loss").get("loss").getDouble(0)).isEqualTo(203.0);
        assertThat(one.sumNumber().doubleValue()).isEqualTo(4.0);
        assertThat(a).isEqualTo(aCopy);
        assertThat(b).isEqualTo(bCopy);
    }
}
