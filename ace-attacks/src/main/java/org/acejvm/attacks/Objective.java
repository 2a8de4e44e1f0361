package org.acejvm.attacks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.graph.DifferentiableGraph;
import org.acejvm.core.graph.ImageMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attack objective as ONE SameDiff graph, built once and evaluated (forward and backward) once per iteration:
 *
 * <pre>
 *   s (search variable) -> x' = space(s) -> map(x') -> classifier -> logits
 *   loss = classScale * sum_b classLoss_b(logits, target) + distanceWeight * sum_p penalty_p(s, x', x, s0)
 * </pre>
 *
 * with placeholders for the original images x, the start value s0 (each only if a penalty reads it), the targets,
 * the two scalars and the map's noise. classScale holds the untargeted sign and the averaging; distanceWeight the
 * schedule. The search variable has the space's shape (the image's for pixels and tanh, a code's for a latent space).
 *
 * <p>A map that differentiates itself ({@link ImageMap#separateGradient()}, e.g. a diffusion filter that recomputes
 * its steps to save memory) is not added to the graph: then two small graphs are built, the classifier's (mapped
 * image -> class term) and the search's (s -> x' -> penalty term plus {@code sum(x' * upstream)}), and one
 * evaluation chains them through the map's own backward pass: the same gradient, within float rounding.
 */
final class Objective {
    static final String MAP_CALL = "map";
    static final String SEARCH = "attack/search";
    static final String TARGET = "attack/target";
    static final String CLASS_SCALE = "attack/classScale";
    static final String DISTANCE_WEIGHT = "attack/distanceWeight";
    static final String LOGITS = "attack/logits";
    static final String CLASS_LOSS = "attack/classLoss";
    static final String LOSS = "attack/loss";

    static final String MAPPED = "attack/mapped";
    static final String UPSTREAM = "attack/upstream";
    static final String DISTANCE = "attack/distance";

    private final DifferentiableGraph graph;
    private final boolean hasDistance;
    // the penalties' inputs in the graph that holds them (graph's, or searchGraph's with a separate map)
    private final PenaltyInputs penaltyInputs;
    // only for a map with a separate gradient: the map, and the search-to-image graph (graph is the classifier's)
    private final ImageMap.SeparateGradient separateMap;
    private final SearchSpace space;
    private final DifferentiableGraph searchGraph;

    /** With the pixel penalties {@code lambda1 * sum|x - x'| + lambda2 * sum_b ||x_b - x'_b||}. */
    Objective(DifferentiableClassifier classifier, ImageMap map, SearchSpace space, ClassLoss classLoss,
              double lambda1, double lambda2) {
        this(classifier, map, space, classLoss, Penalty.pixels(lambda1, lambda2));
    }

    Objective(DifferentiableClassifier classifier, ImageMap map, SearchSpace space, ClassLoss classLoss,
              List<Penalty> penalties) {
        ImageSpec spec = classifier.inputSpec();
        long[] searchShape = space.sampleShape(spec);
        this.space = space;
        this.separateMap = map.separateGradient().orElse(null);
        hasDistance = !penalties.isEmpty();
        SameDiff sd = SameDiff.create();
        if (separateMap == null) {
            SDVariable search = searchVariable(sd, searchShape);
            SDVariable xAdv = space.toImage(sd, search);
            SDVariable mapped = map.apply(sd, MAP_CALL, xAdv);
            SDVariable total = classTerm(sd, classifier, classLoss, mapped);
            penaltyInputs = new PenaltyInputs(sd, search, xAdv, spec, searchShape);
            if (hasDistance) total = total.add(distanceTerm(sd, penaltyInputs, penalties));
            graph = new DifferentiableGraph(sd, search, sd.identity(LOSS, total));
            searchGraph = null;
        } else {
            SDVariable mapped = DifferentiableGraph.inputVariable(sd, MAPPED, spec);
            graph = new DifferentiableGraph(sd, mapped, sd.identity(LOSS, classTerm(sd, classifier, classLoss, mapped)));
            SameDiff sdSearch = SameDiff.create();
            SDVariable search = searchVariable(sdSearch, searchShape);
            SDVariable xAdv = space.toImage(sdSearch, search);
            SDVariable upstream = sdSearch.placeHolder(UPSTREAM, DataType.FLOAT, spec.batchShape(-1));
            SDVariable total = xAdv.mul(upstream).sum();
            penaltyInputs = new PenaltyInputs(sdSearch, search, xAdv, spec, searchShape);
            if (hasDistance) total = total.add(sdSearch.identity(DISTANCE, distanceTerm(sdSearch, penaltyInputs, penalties)));
            searchGraph = new DifferentiableGraph(sdSearch, search, sdSearch.identity(LOSS, total));
        }
    }

    /** The re-bindable search variable, one sample of {@code sampleShape} until bound. */
    private static SDVariable searchVariable(SameDiff sd, long[] sampleShape) {
        long[] one = new long[sampleShape.length + 1];
        one[0] = 1;
        System.arraycopy(sampleShape, 0, one, 1, sampleShape.length);
        return sd.var(SEARCH, Nd4j.zeros(DataType.FLOAT, one));
    }

    /** classScale * sum_b classLoss_b(classifier(mapped), target); declares the logits and per-sample loss outputs. */
    private static SDVariable classTerm(SameDiff sd, DifferentiableClassifier classifier, ClassLoss classLoss, SDVariable mapped) {
        SDVariable logits = sd.identity(LOGITS, classifier.graph().call1(sd, "classifier", mapped));
        long width = classifier.singleLogit() ? 1 : classifier.numClasses();
        SDVariable target = sd.placeHolder(TARGET, DataType.FLOAT, -1, width);
        SDVariable classScale = sd.placeHolder(CLASS_SCALE, DataType.FLOAT);
        SDVariable perSample = sd.identity(CLASS_LOSS, classLoss.perSample(sd, logits, target, classifier.singleLogit()));
        return perSample.sum().mul(classScale);
    }

    /** distanceWeight * sum of the penalties' terms. */
    private static SDVariable distanceTerm(SameDiff sd, PenaltyInputs in, List<Penalty> penalties) {
        SDVariable weight = sd.placeHolder(DISTANCE_WEIGHT, DataType.FLOAT);
        SDVariable dist = null;
        for (Penalty p : penalties) {
            SDVariable t = p.term(in);
            dist = dist == null ? t : dist.add(t);
        }
        return dist.mul(weight);
    }

    /** {@link #evaluate(INDArray, INDArray, INDArray, INDArray, double, double, Map)} without a start value. */
    Evaluation evaluate(INDArray search, INDArray original, INDArray target, double classScale, double distanceWeight,
                        Map<String, INDArray> mapFeed) {
        return evaluate(search, original, null, target, classScale, distanceWeight, mapFeed);
    }

    /**
     * One forward and backward pass at {@code search}, for originals {@code original} and start values {@code start}
     * (read only by penalties that ask for them).
     */
    Evaluation evaluate(INDArray search, INDArray original, INDArray start, INDArray target, double classScale,
                        double distanceWeight, Map<String, INDArray> mapFeed) {
        Map<String, INDArray> classFeed = new HashMap<>();
        classFeed.put(TARGET, target);
        classFeed.put(CLASS_SCALE, Nd4j.scalar((float) classScale));
        Map<String, INDArray> distanceFeed = new HashMap<>();
        if (hasDistance) {
            if (penaltyInputs.usesOriginal()) distanceFeed.put(PenaltyInputs.ORIGINAL, original);
            if (penaltyInputs.usesStart()) {
                if (start == null) throw new IllegalArgumentException("a penalty reads the start value, but none was given");
                distanceFeed.put(PenaltyInputs.START, start);
            }
            distanceFeed.put(DISTANCE_WEIGHT, Nd4j.scalar((float) distanceWeight));
        }
        if (separateMap == null) {
            Map<String, INDArray> feed = new HashMap<>(mapFeed);
            feed.putAll(classFeed);
            feed.putAll(distanceFeed);
            DifferentiableGraph.Result r = graph.forwardBackward(search, feed, List.of(LOGITS, CLASS_LOSS, LOSS));
            return new Evaluation(r.gradient(), r.output(LOGITS), r.output(CLASS_LOSS), r.output(LOSS).getDouble(0));
        }
        // chained: x' -> the map's eager pass -> classifier graph -> the map's backward -> the search graph
        ImageMap.SeparateGradient.Pass pass = separateMap.forward(space.toImage(search), mapFeed, MAP_CALL);
        DifferentiableGraph.Result c = graph.forwardBackward(pass.output(), classFeed, List.of(LOGITS, CLASS_LOSS, LOSS));
        distanceFeed.put(UPSTREAM, pass.backward(c.gradient()));
        DifferentiableGraph.Result s = searchGraph.forwardBackward(search, distanceFeed, hasDistance ? List.of(DISTANCE) : List.of());
        double loss = c.output(LOSS).getDouble(0) + (hasDistance ? s.output(DISTANCE).getDouble(0) : 0.0);
        return new Evaluation(s.gradient(), c.output(LOGITS), c.output(CLASS_LOSS), loss);
    }

    record Evaluation(INDArray gradient, INDArray logits, INDArray classLoss, double loss) {}
}
