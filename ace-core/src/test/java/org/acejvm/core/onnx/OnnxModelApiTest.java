package org.acejvm.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.Preprocessing;
import org.acejvm.core.SameDiffClassifier;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The public face of {@link OnnxModel}: names, shapes, namespaces, input types, use as a classifier, docs. */
class OnnxModelApiTest {

    @Test
    void namesAndShapesWithAFreeBatch() {
        OnnxModel unet = OnnxModel.load(Fixture.of("unet_small_op13").model());
        assertThat(unet.inputNames()).containsExactly("x", "timesteps");
        assertThat(unet.outputNames()).containsExactly("out");
        assertThat(unet.inputShape("x")).containsExactly(-1, 1, 32, 32);
        assertThat(unet.inputShape("timesteps")).containsExactly(-1);
        assertThat(unet.inputDataType("timesteps")).isEqualTo(DataType.LONG);
        assertThat(unet.outputShape("out")).containsExactly(-1, 2, 32, 32);
        assertThat(unet.opset()).isEqualTo(13);
        assertThat(unet.producer()).startsWith("pytorch");
        // shape arithmetic is folded at import; broadcasting products add one widening op each (NodeContext.broadcastMul)
        assertThat(unet.opsPerCall()).isLessThan(unet.nodeCount() + unet.nodeCount() / 20);
    }

    @Test
    void differentFilesGetDifferentNamespacesAndTheSameFileSharesOne() {
        OnnxModel a = OnnxModel.load(Fixture.of("unet_small_op13").model());
        OnnxModel b = OnnxModel.load(Fixture.of("unet_small_op17").model());
        OnnxModel a2 = OnnxModel.load(Fixture.of("unet_small_op13").model());
        assertThat(a.namespace()).isNotEqualTo(b.namespace()).isEqualTo(a2.namespace()).startsWith("onnx/unet_small_op13_");
        assertThat(a.withFloatType(DataType.DOUBLE).namespace()).isNotEqualTo(a.namespace());
        assertThat(a.withNamespace("unet").namespace()).isEqualTo("unet");
    }

    @Test
    void floatInputsOfAnotherTypeAreCastAndIntegerTimestepsAccepted() {
        Fixture f = Fixture.of("unet_small_op13");
        OnnxModel unet = OnnxModel.load(f.model());
        SameDiff sd = SameDiff.create();
        INDArray x = f.inputs().get(0).castTo(DataType.DOUBLE);
        SDVariable y = unet.call1(sd, "u", sd.constant("x", x), sd.constant("t", f.inputs().get(1)));
        INDArray out = sd.output(new HashMap<>(), y.name()).get(y.name());
        assertThat(out.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(Fixture.relError(out, f.outputs().get(0))).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void worksAsTheNetworkOfASameDiffClassifier() {
        Fixture f = Fixture.of("small_cnn");
        SameDiffClassifier c = new SameDiffClassifier(OnnxModel.load(f.model()), new ImageSpec(1, 32, 32), 10, false,
                Preprocessing.none(1));
        INDArray x = f.inputs().get(0);
        // the fixture's input is N(0,1) noise, outside [0, 1]: feed a [0, 1] image through logits and gradient
        INDArray img = x.sub(x.minNumber()).div(x.maxNumber().doubleValue() - x.minNumber().doubleValue());
        assertThat(c.logits(img).shape()).containsExactly(2, 10);
        assertThat(c.inputGradient(img, org.nd4j.linalg.factory.Nd4j.ones(DataType.FLOAT, 2, 10)).shape())
                .containsExactly(2, 1, 32, 32);
    }

    @Test
    void weightsAreConstantsOnceEvenForTwoLoadsOfOneFile() {
        OnnxModel a = OnnxModel.load(Fixture.of("unet_tiny").model());
        OnnxModel b = OnnxModel.load(Fixture.of("unet_tiny").model());
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 1, 16, 16);
        SDVariable t = sd.placeHolder("t", DataType.FLOAT, -1);
        a.call(sd, "a", x, t);
        long n = sd.variables().stream().filter(v -> v.getVariableType() == VariableType.CONSTANT).count();
        b.call(sd, "b", x, t);
        assertThat(sd.variables().stream().filter(v -> v.getVariableType() == VariableType.CONSTANT).count()).isEqualTo(n);
        assertThat(sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).count()).isZero();
    }

    /** ONNX.md lists exactly the operators of the registry. */
    @Test
    void documentationListsEveryOperator() throws IOException {
        Path doc = Fixture.root();
        while (doc != null && !Files.exists(doc.resolve("ONNX.md"))) doc = doc.getParent();
        assertThat(doc).as("ace-core/ONNX.md").isNotNull();
        String md = Files.readString(doc.resolve("ONNX.md"));
        String table = md.substring(md.indexOf("<!-- operators -->"), md.indexOf("<!-- /operators -->"));
        Set<String> documented = new TreeSet<>();
        for (String line : table.split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| Operator") || line.startsWith("| ---")) continue;
            for (String op : line.split("\\|")[1].split(",")) documented.add(op.trim().replace("`", ""));
        }
        Set<String> registered = OpRegistry.standard().operators().stream().filter(o -> !o.startsWith("ace."))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(documented).isEqualTo(registered);
        assertThat(List.copyOf(registered)).contains("Conv", "Einsum", "InstanceNormalization", "Resize");
    }
}
