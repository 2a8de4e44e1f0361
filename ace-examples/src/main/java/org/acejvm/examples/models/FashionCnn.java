package org.acejvm.examples.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.ModelFormatException;
import org.acejvm.core.Preprocessing;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.core.graph.Weights;
import org.acejvm.core.io.Npz;
import org.acejvm.examples.data.FashionMnist;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The shipped Fashion-MNIST classifier's architecture: a small CNN on 1x32x32 images, as a {@link GraphFunction}.
 *
 * <pre>
 * conv1 3x3, 1 -> 16, stride 1, pad 1, ReLU     32x32
 * conv2 3x3, 16 -> 32, stride 2, pad 1, ReLU    16x16
 * conv3 3x3, 32 -> 64, stride 2, pad 1, ReLU     8x8
 * conv4 3x3, 64 -> 64, stride 1, pad 1, ReLU     8x8
 * flatten (C, H, W order) -> fc1 4096 -> 128, ReLU -> fc2 128 -> 10 logits
 * </pre>
 *
 * About 5.4 million multiply-adds per image, so that it trains in minutes on two shared CPU cores. No batch norm
 * (its backprop is broken in SameDiff 1.0.0-M2.1). Convolution weights are YXIO
 * ({@code [kH, kW, in, out]}); explicit padding 1 with stride 2 gives the same output as PyTorch's
 * {@code Conv2d(k=3, s=2, p=1)}. Dense weights are {@code [in, out]}. The input normalisation
 * {@code (x - mean) / std} is held in the classifier's {@link Preprocessing}, so callers pass [0, 1] images.
 *
 * <p>Weight files are {@code .npz} archives holding the arrays above and a {@value #HEADER_ENTRY} entry naming the
 * architecture and its version (see {@link Header}).
 */
public final class FashionCnn implements GraphFunction {
    public static final String ARCHITECTURE = "fmnist-cnn";
    public static final int VERSION = 1;
    public static final String HEADER_ENTRY = "header.json";
    public static final String NAMESPACE = ARCHITECTURE;
    /** The shipped weights, on the classpath of ace-examples. */
    public static final String DEFAULT_RESOURCE = "/models/fmnist-cnn/fmnist-cnn.npz";
    public static final ImageSpec SPEC = FashionMnist.SPEC;
    public static final int NUM_CLASSES = 10;
    /** Name of the penultimate-feature output of {@link #withPenultimate()}. */
    public static final String PENULTIMATE = "penultimate";
    /** Size of the penultimate feature vector. */
    public static final int PENULTIMATE_SIZE = 128;

    private static final int FLAT = 64 * 8 * 8;
    private static final Map<String, long[]> SHAPES;
    static {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("conv1/W", new long[] {3, 3, 1, 16});
        m.put("conv1/b", new long[] {16});
        m.put("conv2/W", new long[] {3, 3, 16, 32});
        m.put("conv2/b", new long[] {32});
        m.put("conv3/W", new long[] {3, 3, 32, 64});
        m.put("conv3/b", new long[] {64});
        m.put("conv4/W", new long[] {3, 3, 64, 64});
        m.put("conv4/b", new long[] {64});
        m.put("fc1/W", new long[] {FLAT, 128});
        m.put("fc1/b", new long[] {128});
        m.put("fc2/W", new long[] {128, NUM_CLASSES});
        m.put("fc2/b", new long[] {NUM_CLASSES});
        SHAPES = Collections.unmodifiableMap(m);
    }
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Weights weights;

    /** @param weights arrays named and shaped as {@link #parameterShapes()}, frozen or trainable */
    public FashionCnn(Weights weights) {
        validate(weights.arrays(), "weights " + weights.namespace());
        this.weights = weights;
    }

    /** Parameter names and shapes, in file order. */
    public static Map<String, long[]> parameterShapes() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        SHAPES.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    public static long parameterCount() {
        return SHAPES.values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
    }

    public Weights weights() { return weights; }

    @Override
    public SDVariable[] call(SameDiff sd, String callName, SDVariable... inputs) {
        return new SDVariable[] {forward(sd, callName, inputs)[0]};
    }

    /** Logits [N, 10] and the penultimate features [N, 128] (fc1 after its ReLU). */
    private SDVariable[] forward(SameDiff sd, String callName, SDVariable... inputs) {
        if (inputs.length != 1) throw new IllegalArgumentException("FashionCnn takes 1 input, got " + inputs.length);
        SDVariable x = inputs[0];
        x = conv(sd, callName, "conv1", x, 1);
        x = conv(sd, callName, "conv2", x, 2);
        x = conv(sd, callName, "conv3", x, 2);
        x = conv(sd, callName, "conv4", x, 1);
        x = sd.reshape(callName + "/flatten", x, -1, FLAT);
        SDVariable features = sd.nn().relu(callName + "/fc1_relu", dense(sd, callName, "fc1", x), 0.0);
        return new SDVariable[] {dense(sd, callName, "fc2", features), features};
    }

    /**
     * The same network with a second output, {@value #PENULTIMATE}: the penultimate layer (fc1 after its ReLU,
     * [N, 128]), the feature vector {@code ace evaluate} uses for FID, sFID and its S3-style similarity. Outputs
     * {@code [logits, penultimate]}; same weights.
     */
    public GraphFunction withPenultimate() {
        FashionCnn self = this;
        return new GraphFunction() {
            @Override public SDVariable[] call(SameDiff sd, String callName, SDVariable... inputs) {
                return self.forward(sd, callName, inputs);
            }
            @Override public List<String> inputNames() { return self.inputNames(); }
            @Override public List<String> outputNames() { return List.of("logits", PENULTIMATE); }
        };
    }

    private SDVariable conv(SameDiff sd, String call, String layer, SDVariable x, int stride) {
        Conv2DConfig cfg = Conv2DConfig.builder().kH(3).kW(3).sH(stride).sW(stride).pH(1).pW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        SDVariable y = sd.cnn().conv2d(call + "/" + layer, x, weights.get(sd, layer + "/W"), weights.get(sd, layer + "/b"), cfg);
        return sd.nn().relu(call + "/" + layer + "_relu", y, 0.0);
    }

    private SDVariable dense(SameDiff sd, String call, String layer, SDVariable x) {
        return sd.mmul(call + "/" + layer + "_mm", x, weights.get(sd, layer + "/W")).add(call + "/" + layer,
                weights.get(sd, layer + "/b"));
    }

    @Override public List<String> inputNames() { return List.of("input"); }

    @Override public List<String> outputNames() { return List.of("logits"); }

    // ------------------------------------------------------------------------------------------------ weights

    /** He-normal convolution and dense weights, zero biases, from {@code seed}. */
    public static Map<String, INDArray> initialWeights(long seed) {
        Random rnd = new Random(seed);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : SHAPES.entrySet()) {
            long[] s = e.getValue();
            int n = (int) Arrays.stream(s).reduce(1, (a, b) -> a * b);
            float[] v = new float[n];
            if (e.getKey().endsWith("/W")) {
                long fanIn = s.length == 4 ? s[0] * s[1] * s[2] : s[0];
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * std);
            }
            m.put(e.getKey(), Nd4j.create(v, s, 'c'));
        }
        return m;
    }

    /** Checks names, shapes, data type and finiteness; throws {@link ModelFormatException} naming the problem. */
    public static void validate(Map<String, INDArray> arrays, String source) {
        if (!arrays.keySet().equals(SHAPES.keySet())) {
            List<String> missing = SHAPES.keySet().stream().filter(k -> !arrays.containsKey(k)).toList();
            List<String> extra = arrays.keySet().stream().filter(k -> !SHAPES.containsKey(k)).toList();
            throw new ModelFormatException(source + ": not " + ARCHITECTURE + " v" + VERSION + " weights: missing "
                    + missing + ", unexpected " + extra);
        }
        for (Map.Entry<String, long[]> e : SHAPES.entrySet()) {
            INDArray a = arrays.get(e.getKey());
            if (!Arrays.equals(a.shape(), e.getValue())) {
                throw new ModelFormatException(source + ": weight '" + e.getKey() + "' has shape " + Arrays.toString(a.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            }
            if (a.dataType() != DataType.FLOAT) {
                throw new ModelFormatException(source + ": weight '" + e.getKey() + "' is " + a.dataType()
                        + ", expected FLOAT (float32)");
            }
            if (!Double.isFinite(a.sumNumber().doubleValue())) {
                throw new ModelFormatException(source + ": weight '" + e.getKey() + "' holds NaN or infinite values");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ files

    /**
     * The JSON header stored in a weight file.
     *
     * @param metadata free-form facts about the training run (data, epochs, accuracy); not used for loading
     */
    public record Header(String architecture, int version, float mean, float std, int[] inputShape, int numClasses,
                         List<String> classNames, Map<String, Object> metadata) {
        public static Header of(float mean, float std, Map<String, Object> metadata) {
            return new Header(ARCHITECTURE, VERSION, mean, std, new int[] {1, 32, 32}, NUM_CLASSES,
                    FashionMnist.CLASS_NAMES, metadata == null ? Map.of() : metadata);
        }

        public Preprocessing preprocessing() {
            return new Preprocessing(new float[] {mean}, new float[] {std}, false);
        }
    }

    /** A weight file's header and arrays. */
    public record Model(Header header, Map<String, INDArray> arrays) {
        /** The classifier with these weights frozen. */
        public SameDiffClassifier classifier() {
            return FashionCnn.classifier(Weights.frozen(NAMESPACE, arrays), header.preprocessing());
        }
    }

    /** A classifier from this architecture with the given weights (frozen for use, trainable for training). */
    public static SameDiffClassifier classifier(Weights weights, Preprocessing preprocessing) {
        return new SameDiffClassifier(new FashionCnn(weights), SPEC, NUM_CLASSES, false, preprocessing);
    }

    /** Writes weights and header to an .npz file (entries deflated). */
    public static void save(Path file, Map<String, INDArray> arrays, Header header) {
        validate(arrays, "weights to save");
        Map<String, INDArray> ordered = new LinkedHashMap<>();
        for (String k : SHAPES.keySet()) ordered.put(k, arrays.get(k));
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise header: " + e.getMessage(), e);
        }
        Npz.write(file, ordered, Map.of(HEADER_ENTRY, json), true);
    }

    /** Reads and validates a weight file. */
    public static Model read(Path file) {
        return parse(Npz.readContents(file), file.toString());
    }

    /** Reads and validates a weight file from a stream (e.g. a classpath resource). */
    public static Model read(InputStream in, String source) {
        return parse(Npz.readContents(in, source), source);
    }

    /** The classifier stored in a weight file. */
    public static SameDiffClassifier load(Path file) {
        return read(file).classifier();
    }

    /** The shipped classifier (weights on the classpath of ace-examples). */
    public static SameDiffClassifier loadDefault() {
        return readDefault().classifier();
    }

    /** The shipped weight file's header and arrays. */
    public static Model readDefault() {
        try (InputStream in = FashionCnn.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new ModelFormatException("the shipped Fashion-MNIST classifier " + DEFAULT_RESOURCE
                        + " is not on the classpath (train it with TrainFashionClassifier, see its MODEL_CARD.md)");
            }
            return read(in, "classpath:" + DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + DEFAULT_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    private static Model parse(Npz.Contents c, String source) {
        byte[] json = c.otherEntries().get(HEADER_ENTRY);
        if (json == null) {
            throw new ModelFormatException(source + ": no " + HEADER_ENTRY + " entry: not an ACE model file (it holds "
                    + c.arrays().keySet() + " and " + c.otherEntries().keySet() + ")");
        }
        Header h;
        try {
            h = JSON.readValue(new String(json, StandardCharsets.UTF_8), Header.class);
        } catch (IOException e) {
            throw new ModelFormatException(source + ": unreadable " + HEADER_ENTRY + ": " + e.getMessage(), e);
        }
        if (!ARCHITECTURE.equals(h.architecture())) {
            throw new ModelFormatException(source + ": architecture '" + h.architecture() + "', expected '" + ARCHITECTURE + "'");
        }
        if (h.version() != VERSION) {
            throw new ModelFormatException(source + ": " + ARCHITECTURE + " version " + h.version()
                    + " is not supported (this library reads version " + VERSION + ")");
        }
        if (!(h.std() > 0) || !Float.isFinite(h.mean())) {
            throw new ModelFormatException(source + ": bad normalisation in header: mean " + h.mean() + ", std " + h.std());
        }
        if (h.inputShape() == null || !Arrays.equals(h.inputShape(), new int[] {1, 32, 32}) || h.numClasses() != NUM_CLASSES) {
            throw new ModelFormatException(source + ": header declares input " + Arrays.toString(h.inputShape()) + " and "
                    + h.numClasses() + " classes, expected [1, 32, 32] and " + NUM_CLASSES);
        }
        validate(c.arrays(), source);
        return new Model(h, c.arrays());
    }
}
