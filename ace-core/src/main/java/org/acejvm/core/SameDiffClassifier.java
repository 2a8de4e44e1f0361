package org.acejvm.core;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.acejvm.core.graph.DifferentiableGraph;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.core.onnx.OnnxModel;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A classifier backed by a SameDiff graph function (translated from ONNX or built by hand), with its preprocessing
 * held inside. Its own evaluation graph is built once, on first use, and reused.
 */
public final class SameDiffClassifier implements DifferentiableClassifier {
    private static final String INPUT = "images";
    private static final String UPSTREAM = "upstream";

    private final GraphFunction network;
    private final ImageSpec spec;
    private final int numClasses;
    private final boolean singleLogit;
    private final Preprocessing preprocessing;
    private final GraphFunction graph;
    private DifferentiableGraph evaluation; // built lazily, guarded by this

    /**
     * @param network       maps preprocessed NCHW input to logits [N, numClasses] (or [N, 1] if single-logit)
     * @param spec          the per-sample input shape
     * @param numClasses    number of classes; 2 when {@code singleLogit}
     * @param singleLogit   whether the network outputs one logit for a binary decision
     * @param preprocessing what the network expects [0, 1] images to be turned into
     */
    public SameDiffClassifier(GraphFunction network, ImageSpec spec, int numClasses, boolean singleLogit,
                              Preprocessing preprocessing) {
        Checks.notNull(network, "network");
        Checks.notNull(spec, "spec");
        Checks.notNull(preprocessing, "preprocessing");
        if (singleLogit && numClasses != 2) {
            throw new InvalidInputException("a single-logit classifier has 2 classes, got numClasses=" + numClasses);
        }
        if (numClasses < 2) throw new InvalidInputException("a classifier needs at least 2 classes, got " + numClasses);
        if (preprocessing.channels() != spec.channels()) {
            throw new InvalidInputException.Mismatch("preprocessing has " + preprocessing.channels()
                    + " channels but the input spec has " + spec.channels());
        }
        this.network = network;
        this.spec = spec;
        this.numClasses = numClasses;
        this.singleLogit = singleLogit;
        this.preprocessing = preprocessing;
        this.graph = new WithPreprocessing();
    }

    /**
     * A classifier imported from ONNX: one input of fixed shape [N, C, H, W] taking images normalised with
     * {@code mean}/{@code std} (per channel, on [0, 1] values; null: none), logits [N, K] as the first output (K = 1:
     * a binary classifier with one logit).
     */
    public static SameDiffClassifier fromOnnx(OnnxModel net, float[] mean, float[] std) {
        Checks.notNull(net, "net");
        if (net.inputNames().size() != 1 || net.outputNames().isEmpty()) {
            throw new ModelFormatException(net + ": a classifier needs 1 input and logits as its first output, got inputs "
                    + net.inputNames() + " and outputs " + net.outputNames());
        }
        long[] in = net.inputShape(net.inputNames().get(0));
        long[] out = net.outputShape(net.outputNames().get(0));
        if (in.length != 4 || in[1] <= 0 || in[2] <= 0 || in[3] <= 0) {
            throw new ModelFormatException(net + ": expected a fixed input shape [N, C, H, W], got " + Arrays.toString(in));
        }
        if (out.length != 2 || out[1] <= 0) {
            throw new ModelFormatException(net + ": expected logits of shape [N, K], got " + Arrays.toString(out));
        }
        ImageSpec spec = new ImageSpec((int) in[1], (int) in[2], (int) in[3]);
        boolean single = out[1] == 1;
        Preprocessing pre = Preprocessing.none(spec.channels());
        if (mean != null || std != null) {
            float[] ones = new float[spec.channels()];
            Arrays.fill(ones, 1f);
            pre = new Preprocessing(mean != null ? mean : new float[spec.channels()], std != null ? std : ones, false);
        }
        return new SameDiffClassifier(net, spec, single ? 2 : (int) out[1], single, pre);
    }

    @Override public ImageSpec inputSpec() { return spec; }
    @Override public int numClasses() { return numClasses; }
    @Override public boolean singleLogit() { return singleLogit; }
    @Override public GraphFunction graph() { return graph; }
    public Preprocessing preprocessing() { return preprocessing; }
    public GraphFunction network() { return network; }

    @Override
    public INDArray logits(INDArray images) {
        Checks.images(images, spec, "images");
        INDArray out = evaluation().forward(images, Map.of(), "logits").get("logits");
        checkLogits(out, images.size(0));
        return out;
    }

    @Override
    public INDArray inputGradient(INDArray images, INDArray upstream) {
        Checks.images(images, spec, "images");
        Checks.rank(upstream, 2, "upstream");
        long width = singleLogit ? 1 : numClasses;
        if (upstream.size(0) != images.size(0) || upstream.size(1) != width) {
            throw new InvalidInputException.Shape("upstream: expected shape [" + images.size(0) + ", " + width + "], got "
                    + java.util.Arrays.toString(upstream.shape()));
        }
        return evaluation().forwardBackward(images, Map.of(UPSTREAM, upstream.castTo(DataType.FLOAT)), List.of()).gradient();
    }

    private synchronized DifferentiableGraph evaluation() {
        if (evaluation == null) {
            SameDiff sd = SameDiff.create();
            SDVariable x = DifferentiableGraph.inputVariable(sd, INPUT, spec);
            SDVariable logits = graph.call1(sd, "classifier", x);
            SDVariable named = sd.identity("logits", logits);
            SDVariable up = sd.placeHolder(UPSTREAM, DataType.FLOAT, -1, singleLogit ? 1 : numClasses);
            SDVariable loss = named.mul(up).sum("loss");
            evaluation = new DifferentiableGraph(sd, x, loss);
        }
        return evaluation;
    }

    private void checkLogits(INDArray out, long n) {
        long width = singleLogit ? 1 : numClasses;
        if (out.rank() != 2 || out.size(0) != n || out.size(1) != width) {
            throw new ModelFormatException("classifier network returned shape " + java.util.Arrays.toString(out.shape())
                    + ", expected [" + n + ", " + width + "]");
        }
    }

    /** [0, 1] images -> preprocessing -> network -> logits. */
    private final class WithPreprocessing implements GraphFunction {
        @Override
        public SDVariable[] call(SameDiff sd, String callName, SDVariable... inputs) {
            if (inputs.length != 1) throw new IllegalArgumentException("classifier graph takes 1 input, got " + inputs.length);
            SDVariable pre = preprocessing.apply(sd, callName + "_pre", inputs[0]);
            return network.call(sd, callName, pre);
        }
        @Override public List<String> inputNames() { return List.of("images"); }
        @Override public List<String> outputNames() { return List.of("logits"); }
    }
}
