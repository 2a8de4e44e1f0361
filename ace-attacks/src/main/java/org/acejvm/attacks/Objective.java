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

    private final DifferentiableGraph graph;
    private final boolean hasDistance;

    Objective(DifferentiableClassifier classifier, ImageMap map, SearchSpace space, ClassLoss classLoss,
              double lambda1, double lambda2) {
        ImageSpec spec = classifier.inputSpec();
        SameDiff sd = SameDiff.create();
        SDVariable search = DifferentiableGraph.inputVariable(sd, SEARCH, spec);
        SDVariable xAdv = space.toImage(sd, search);
        SDVariable mapped = map.apply(sd, MAP_CALL, xAdv);
        SDVariable logits = sd.identity(LOGITS, classifier.graph().call1(sd, "classifier", mapped));
        long width = classifier.singleLogit() ? 1 : classifier.numClasses();
        SDVariable target = sd.placeHolder(TARGET, DataType.FLOAT, -1, width);
        SDVariable classScale = sd.placeHolder(CLASS_SCALE, DataType.FLOAT);
        SDVariable perSample = sd.identity(CLASS_LOSS, classLoss.perSample(sd, logits, target, classifier.singleLogit()));
        SDVariable total = perSample.sum().mul(classScale);
        hasDistance = lambda1 > 0 || lambda2 > 0;
        if (hasDistance) {
            SDVariable original = sd.placeHolder(ORIGINAL, DataType.FLOAT, -1, spec.channels(), spec.height(), spec.width());
            SDVariable weight = sd.placeHolder(DISTANCE_WEIGHT, DataType.FLOAT);
            SDVariable d = xAdv.sub(original);
            SDVariable dist = null;
            if (lambda1 > 0) dist = sd.math.abs(d).sum().mul(lambda1);
            if (lambda2 > 0) {
                SDVariable l2 = sd.math.sqrt(d.mul(d).sum(1, 2, 3).add(L2_FLOOR)).sum().mul(lambda2);
                dist = dist == null ? l2 : dist.add(l2);
            }
            total = total.add(dist.mul(weight));
        }
        SDVariable loss = sd.identity(LOSS, total);
        graph = new DifferentiableGraph(sd, search, loss);
    }

    /** One forward and backward pass. */
    Evaluation evaluate(INDArray search, INDArray original, INDArray target, double classScale, double distanceWeight,
                        Map<String, INDArray> mapFeed) {
        Map<String, INDArray> feed = new HashMap<>(mapFeed);
        feed.put(TARGET, target);
        feed.put(CLASS_SCALE, Nd4j.scalar((float) classScale));
        if (hasDistance) {
            feed.put(ORIGINAL, original);
            feed.put(DISTANCE_WEIGHT, Nd4j.scalar((float) distanceWeight));
        }
        DifferentiableGraph.Result r = graph.forwardBackward(search, feed, List.of(LOGITS, CLASS_LOSS, LOSS));
        return new Evaluation(r.gradient(), r.output(LOGITS), r.output(CLASS_LOSS), r.output(LOSS).getDouble(0));
    }

    DifferentiableGraph graph() { return graph; }

    record Evaluation(INDArray gradient, INDArray logits, INDArray classLoss, double loss) {}
}
