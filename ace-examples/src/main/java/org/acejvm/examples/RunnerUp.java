package org.acejvm.examples;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Each image's second most probable class: the target of held-out images that come without one (the counterfactual
 * the classifier finds nearest).
 */
public final class RunnerUp {
    private RunnerUp() {}

    public static int[] of(INDArray probabilities) {
        int n = (int) probabilities.size(0);
        int k = (int) probabilities.size(1);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = -1, second = -1;
            for (int c = 0; c < k; c++) {
                double p = probabilities.getDouble(i, c);
                if (best < 0 || p > probabilities.getDouble(i, best)) {
                    second = best;
                    best = c;
                } else if (second < 0 || p > probabilities.getDouble(i, second)) {
                    second = c;
                }
            }
            out[i] = second;
        }
        return out;
    }
}
