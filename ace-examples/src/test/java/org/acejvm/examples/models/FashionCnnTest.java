package org.acejvm.examples.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.Preprocessing;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.graph.Weights;
import org.acejvm.core.io.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FashionCnnTest {
    @TempDir Path tmp;

    private static INDArray images(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, 1, 32, 32);
    }

    private static FashionCnn.Header header() {
        return FashionCnn.Header.of(0.2f, 0.3f, Map.of("note", "test"));
    }

    @Test
    void architectureShapes() {
        Map<String, long[]> shapes = FashionCnn.parameterShapes();
        assertThat(shapes.keySet()).containsExactly("conv1/W", "conv1/b", "conv2/W", "conv2/b", "conv3/W", "conv3/b",
                "conv4/W", "conv4/b", "fc1/W", "fc1/b", "fc2/W", "fc2/b");
        assertThat(shapes.get("conv1/W")).containsExactly(3, 3, 1, 16); // YXIO
        assertThat(FashionCnn.parameterCount()).isEqualTo(585_930L);
        SameDiffClassifier c = FashionCnn.classifier(Weights.frozen("n", FashionCnn.initialWeights(1)), Preprocessing.none(1));
        INDArray logits = c.logits(images(3, 1));
        assertThat(logits.shape()).containsExactly(3, 10);
        assertThat(c.inputSpec().toString()).isEqualTo("[N, 1, 32, 32]");
        assertThat(c.numClasses()).isEqualTo(10);
    }

    @Test
    void stridedConvolutionsMatchAHandComputedValue() {
        // all-ones weights and a one-hot input: checks padding 1 / stride 2 placement (PyTorch's Conv2d(k3, s2, p1))
        Map<String, INDArray> w = FashionCnn.initialWeights(5);
        for (String k : w.keySet()) w.put(k, Nd4j.zeros(DataType.FLOAT, w.get(k).shape()));
        w.put("conv1/W", Nd4j.zeros(DataType.FLOAT, 3, 3, 1, 16));
        w.get("conv1/W").putScalar(new long[] {1, 1, 0, 0}, 1f);     // conv1 channel 0 = identity
        w.get("conv2/W").putScalar(new long[] {0, 0, 0, 0}, 1f);     // conv2 channel 0 = top-left tap of channel 0
        w.get("conv3/W").putScalar(new long[] {1, 1, 0, 0}, 1f);     // centre taps pass channel 0 on
        w.get("conv4/W").putScalar(new long[] {1, 1, 0, 0}, 1f);
        // fc1 unit 0 reads conv4 channel 0 at (row 3, col 5); fc2 logit 0 = fc1 unit 0
        w.get("fc1/W").putScalar(new long[] {3 * 8 + 5, 0}, 1f);
        w.get("fc2/W").putScalar(new long[] {0, 0}, 1f);
        SameDiffClassifier c = FashionCnn.classifier(Weights.frozen("h", w), Preprocessing.none(1));
        // conv4 (8x8, stride 1) at (3,5) <- conv3 (stride 2, pad 1, centre tap) at input (6,10) of the 16x16 map
        // <- conv2 (stride 2, pad 1, top-left tap) at input (2*6-1, 2*10-1) = (11, 19) of the 32x32 image
        INDArray x = Nd4j.zeros(DataType.FLOAT, 1, 1, 32, 32);
        x.putScalar(new long[] {0, 0, 11, 19}, 0.5f);
        assertThat(c.logits(x).getFloat(0, 0)).isEqualTo(0.5f);
        x.putScalar(new long[] {0, 0, 11, 19}, 0f);
        x.putScalar(new long[] {0, 0, 12, 20}, 0.5f);
        assertThat(c.logits(x).getFloat(0, 0)).isEqualTo(0f);
    }

    @Test
    void savedWeightsLoadBackToTheSameClassifier() {
        Map<String, INDArray> w = FashionCnn.initialWeights(11);
        Path file = tmp.resolve("m.npz");
        FashionCnn.save(file, w, header());
        FashionCnn.Model m = FashionCnn.read(file);
        assertThat(m.header().architecture()).isEqualTo("fmnist-cnn");
        assertThat(m.header().version()).isEqualTo(1);
        assertThat(m.header().classNames()).hasSize(10).startsWith("T-shirt/top");
        assertThat(m.header().metadata()).containsEntry("note", "test");
        INDArray x = images(4, 2);
        INDArray expected = FashionCnn.classifier(Weights.frozen("a", w), header().preprocessing()).logits(x);
        assertThat(FashionCnn.load(file).logits(x)).isEqualTo(expected);
    }

    @Test
    void wrongFilesFailWithModelFormatException() throws Exception {
        Map<String, INDArray> w = FashionCnn.initialWeights(11);
        Path text = tmp.resolve("text.npz");
        Files.writeString(text, "not a model");
        assertThatThrownBy(() -> FashionCnn.load(text)).isInstanceOf(ModelFormatException.class);

        Path noHeader = tmp.resolve("noheader.npz");
        Npz.write(noHeader, w, true);
        assertThatThrownBy(() -> FashionCnn.load(noHeader)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("header.json");

        Path otherArch = tmp.resolve("other.npz");
        Npz.write(otherArch, w, Map.of("header.json", json("{\"architecture\":\"resnet\",\"version\":1,\"mean\":0,"
                + "\"std\":1,\"inputShape\":[1,32,32],\"numClasses\":10}")), true);
        assertThatThrownBy(() -> FashionCnn.load(otherArch)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("architecture 'resnet'");

        Path newer = tmp.resolve("v2.npz");
        Npz.write(newer, w, Map.of("header.json", json("{\"architecture\":\"fmnist-cnn\",\"version\":2,\"mean\":0,"
                + "\"std\":1,\"inputShape\":[1,32,32],\"numClasses\":10}")), true);
        assertThatThrownBy(() -> FashionCnn.load(newer)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("version 2");

        Path badJson = tmp.resolve("badjson.npz");
        Npz.write(badJson, w, Map.of("header.json", json("{architecture")), true);
        assertThatThrownBy(() -> FashionCnn.load(badJson)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unreadable header.json");

        Map<String, INDArray> missing = new LinkedHashMap<>(w);
        missing.remove("fc2/b");
        assertThatThrownBy(() -> withWeights(missing)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("missing [fc2/b]");

        Map<String, INDArray> wrongShape = new LinkedHashMap<>(w);
        wrongShape.put("conv2/W", Nd4j.zeros(DataType.FLOAT, 32, 16, 3, 3)); // OIYX instead of YXIO
        assertThatThrownBy(() -> withWeights(wrongShape)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'conv2/W' has shape [32, 16, 3, 3], expected [3, 3, 16, 32]");

        Map<String, INDArray> wrongType = new LinkedHashMap<>(w);
        wrongType.put("fc1/b", wrongType.get("fc1/b").castTo(DataType.DOUBLE));
        assertThatThrownBy(() -> withWeights(wrongType)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("DOUBLE");

        Map<String, INDArray> nan = new LinkedHashMap<>(w);
        nan.put("fc1/b", Nd4j.valueArrayOf(new long[] {128}, Float.NaN, DataType.FLOAT));
        assertThatThrownBy(() -> withWeights(nan)).isInstanceOf(ModelFormatException.class).hasMessageContaining("NaN");

        Map<String, INDArray> extra = new LinkedHashMap<>(w);
        extra.put("fc3/W", Nd4j.zeros(DataType.FLOAT, 2));
        assertThatThrownBy(() -> withWeights(extra)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unexpected [fc3/W]");
    }

    private FashionCnn.Model withWeights(Map<String, INDArray> w) {
        Path p = tmp.resolve("w" + System.nanoTime() + ".npz");
        Npz.write(p, w, Map.of("header.json", json("{\"architecture\":\"fmnist-cnn\",\"version\":1,\"mean\":0.2,"
                + "\"std\":0.3,\"inputShape\":[1,32,32],\"numClasses\":10}")), false);
        return FashionCnn.read(p);
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
