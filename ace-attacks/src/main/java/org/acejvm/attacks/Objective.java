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
 *   loss = classScale * sum_b classLoss_b(logits, target) + distanceWeight * (l1 * sum|x - x'| + l2 * sum_b ||x_b - x'_b||)
 * </pre>
 *
 * with placeholders for the original images x, the targets, the two scalars and the map's noise. classScale holds
 * the untargeted sign and the averaging; distanceWeight the schedule.
 *
 * <p>A map that differentiates itself ({@link ImageMap#separateGradient()}, e.g. a diffusion filter that recomputes
 * its steps to save memory) is not added to the graph: then two small graphs are built, the classifier's (mapped
 * image -> class term) and the search's (s -> x' -> distance term plus {@code sum(x' * upstream)}), and one
 * evaluation chains them through the map's own backward pass: the same gradient, within float rounding.
 */
final class Objective {
    static final String MAP_CALL = "map";
    static final String SEARCH = "attack/search";
    static final String ORIGINAL = "attack/original";
    static final String TARGET = "attack/target";
    static final String CLASS_SCALE = "attack/classScale";
    static final String DISTANCE_WEIGHT = "attack/distanceWeight";
    static final String LOGITS = "attack/logits";
    static final String CLASS_LOSS = "attack/classLoss";
    static final String LOSS = "attack/loss";
    /** Keeps the L2 distance differentiable at x' = x (gradient 0 there, as PyTorch's norm gives). */
    static final double L2_FLOOR = 1e-24;

    static final String MAPPED = "attack/mapped";
    static final String UPSTREAM = "attack/upstream";
    static final String DISTANCE = "attack/distance";

    private final DifferentiableGraph graph;
    private final boolean hasDistance;
    // only for a map with a separate gradient: the map, and the search-to-image graph (graph is the classifier's)
    private final ImageMap.SeparateGradient separateMap;
    private final SearchSpace space;
    private final DifferentiableGraph searchGraph;

    Objective(DifferentiableClassifier classifier, ImageMap map, SearchSpace space, ClassLoss classLoss,
              double lambda1, double lambda2) {
        ImageSpec spec = classifier.inputSpec();
        this.space = space;
        this.separateMap = map.separateGradient().orElse(null);
        hasDistance = lambda1 > 0 || lambda2 > 0;
        SameDiff sd = SameDiff.create();
        if (separateMap == null) {
            SDVariable search = DifferentiableGraph.inputVariable(sd, SEARCH, spec);
            SDVariable xAdv = space.toImage(sd, search);
            SDVariable mapped = map.apply(sd, MAP_CALL, xAdv);
            SDVariable total = classTerm(sd, classifier, classLoss, mapped);
            if (hasDistance) total = total.add(distanceTerm(sd, spec, xAdv, lambda1, lambda2));
            graph = new DifferentiableGraph(sd, search, sd.identity(LOSS, total));
            searchGraph = null;
        } else {
            SDVariable mapped = DifferentiableGraph.inputVariable(sd, MAPPED, spec);
            graph = new DifferentiableGraph(sd, mapped, sd.identity(LOSS, classTerm(sd, classifier, classLoss, mapped)));
            SameDiff sdSearch = SameDiff.create();
            SDVariable search = DifferentiableGraph.inputVariable(sdSearch, SEARCH, spec);
            SDVariable xAdv = space.toImage(sdSearch, search);
            SDVariable upstream = sdSearch.placeHolder(UPSTREAM, DataType.FLOAT, -1, spec.channels(), spec.height(), spec.width());
            SDVariable total = xAdv.mul(upstream).sum();
            if (hasDistance) total = total.add(sdSearch.identity(DISTANCE, distanceTerm(sdSearch, spec, xAdv, lambda1, lambda2)));
            searchGraph = new DifferentiableGraph(sdSearch, search, sdSearch.identity(LOSS, total));
        }
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

    /** distanceWeight * (l1 * sum|x - x'| + l2 * sum_b ||x_b - x'_b||). */
    private static SDVariable distanceTerm(SameDiff sd, ImageSpec spec, SDVariable xAdv, double lambda1, double lambda2) {
        SDVariable original = sd.placeHolder(ORIGINAL, DataType.FLOAT, -1, spec.channels(), spec.height(), spec.width());
        SDVariable weight = sd.placeHolder(DISTANCE_WEIGHT, DataType.FLOAT);
        SDVariable d = xAdv.sub(original);
        SDVariable dist = null;
        if (lambda1 > 0) dist = sd.math.abs(d).sum().mul(lambda1);
        if (lambda2 > 0) {
            SDVariable l2 = sd.math.sqrt(d.mul(d).sum(1, 2, 3).add(L2_FLOOR)).sum().mul(lambda2);
            dist = dist == null ? l2 : dist.add(l2);
        }
        return dist.mul(weight);
    }

    /** One forward and backward pass. */
    Evaluation evaluate(INDArray search, INDArray original, INDArray target, double classScale, double distanceWeight,
                        Map<String, INDArray> mapFeed) {
        Map<String, INDArray> classFeed = new HashMap<>();
        classFeed.put(TARGET, target);
        classFeed.put(CLASS_SCALE, Nd4j.scalar((float) classScale));
        Map<String, INDArray> distanceFeed = new HashMap<>();
        if (hasDistance) {
            distanceFeed.put(ORIGINAL, original);
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
