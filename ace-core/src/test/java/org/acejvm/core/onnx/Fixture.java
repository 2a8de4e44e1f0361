package org.acejvm.core.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fixture folder written by scripts/make_onnx_fixtures.py: model.onnx, inputs, PyTorch float64 outputs,
 * output weights R and the input gradients of sum(out * R).
 */
record Fixture(String name, Path dir, JsonNode meta) {

    static Path root() {
        URL url = Fixture.class.getResource("/onnx");
        if (url == null) throw new IllegalStateException("test resources /onnx not found");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Fixture of(String name) {
        Path dir = root().resolve(name);
        try {
            return new Fixture(name, dir, new ObjectMapper().readTree(dir.resolve("meta.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the operator fixtures under onnx/ops. */
    static Stream<String> ops() {
        try (Stream<Path> s = Files.list(root().resolve("ops"))) {
            return s.filter(p -> Files.exists(p.resolve("meta.json"))).map(p -> "ops/" + p.getFileName()).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path model() { return dir.resolve(meta.get("model").asText()); }

    INDArray npy(String file) {
        return Nd4j.createFromNpyFile(dir.resolve(file).toFile());
    }

    List<String> inputNames() {
        List<String> out = new ArrayList<>();
        meta.get("inputs").forEach(n -> out.add(n.get("name").asText()));
        return out;
    }

    List<INDArray> inputs() {
        List<INDArray> out = new ArrayList<>();
        meta.get("inputs").forEach(n -> out.add(npy(n.get("file").asText())));
        return out;
    }

    /** Reference gradient per input, null for inputs without one. */
    List<INDArray> gradients() {
        List<INDArray> out = new ArrayList<>();
        meta.get("inputs").forEach(n -> out.add(n.has("grad") ? npy(n.get("grad").asText()) : null));
        return out;
    }

    List<INDArray> outputs() {
        List<INDArray> out = new ArrayList<>();
        meta.get("outputs").forEach(n -> out.add(npy(n.get("file").asText())));
        return out;
    }

    List<INDArray> outputWeights() {
        List<INDArray> out = new ArrayList<>();
        meta.get("outputs").forEach(n -> out.add(npy(n.get("weight").asText())));
        return out;
    }

    /** max|a - b| / max|b| */
    static double relError(INDArray a, INDArray b) {
        INDArray x = a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE), y = b.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        if (!java.util.Arrays.equals(x.shape(), y.shape())) {
            throw new AssertionError("shape " + java.util.Arrays.toString(x.shape()) + " vs " + java.util.Arrays.toString(y.shape()));
        }
        double scale = Math.max(y.amaxNumber().doubleValue(), 1e-30);
        return x.sub(y).amaxNumber().doubleValue() / scale;
    }
}
