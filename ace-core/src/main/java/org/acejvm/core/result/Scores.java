package org.acejvm.core.result;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the classifier said about one image: its predicted class, the probability of the source class and the
 * probability of the target class. For an untargeted explanation {@code target} is the probability of "any class
 * but the source", {@code 1 - source}.
 */
public record Scores(int predicted, double source, double target) {

    /**
     * The scores of row {@code row} of class probabilities {@code p} [N, K]: the arg-max class, p(source) and
     * p(target), or {@code 1 - p(source)} when {@code target} is negative (untargeted). The one definition every
     * stage and report uses.
     */
    public static Scores of(INDArray p, int row, int source, int target) {
        int k = (int) p.size(1);
        int best = 0;
        for (int c = 1; c < k; c++) if (p.getDouble(row, c) > p.getDouble(row, best)) best = c;
        double ps = p.getDouble(row, source);
        return new Scores(best, ps, target >= 0 ? p.getDouble(row, target) : 1.0 - ps);
    }

    /**
     * Whether these scores make a counterfactual: the prediction is the target, or (untargeted, {@code target < 0})
     * anything but the source. The one definition of success.
     */
    public boolean reaches(int sourceClass, int targetClass) {
        return targetClass >= 0 ? predicted == targetClass : predicted != sourceClass;
    }
}
