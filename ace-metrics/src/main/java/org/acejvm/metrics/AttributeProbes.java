package org.acejvm.metrics;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;

/**
 * Linear probes of continuous attributes on latent codes (Counterfactual Attacks' attribution): one ridge regression
 * {@code attribute_j ~ b_j . w + c_j} per attribute, fitted on the codes w of a labelled set. A counterfactual's local
 * score of attribute j is {@code s_j = b_j . (w_cf - w)} (the probe's predicted change; no decoding needed), and the
 * global score of a group of counterfactuals (for a multiclass classifier, one source/target pair) is the mean of
 * their local scores.
 *
 * @param names   attribute names, one per probe
 * @param weights [m][k] probe directions b_j
 * @param biases  [m] intercepts c_j
 */
public record AttributeProbes(List<String> names, double[][] weights, double[] biases) {

    public AttributeProbes {
        Checks.notNull(names, "names");
        names = List.copyOf(names);
    }

    /**
     * Ridge regressions of {@code attributes} [N][m] on {@code codes} [N, k...] (flattened), intercepts unpenalised
     * (the data centred), penalty {@code lambda} on the weights; solved from the normal equations with ND4J.
     */
    public static AttributeProbes fitRidge(INDArray codes, double[][] attributes, List<String> names, double lambda) {
        Checks.notNull(codes, "codes");
        Checks.notNull(attributes, "attributes");
        Checks.notNull(names, "names");
        Checks.finite(codes, "codes");
        Checks.nonNegative(lambda, "lambda");
        double[][] w = Metrics.rows(codes);
        int n = w.length;
        if (n < 2) throw new InvalidInputException.Shape("probes need at least 2 labelled codes, got " + n);
        Checks.sameCount(attributes.length, "attribute rows", n, "codes");
        int m = names.size(), k = w[0].length;
        for (double[] a : attributes) {
            if (a.length != m) throw new InvalidInputException.Mismatch("attributes: expected " + m + " per code (" + names + "), got " + a.length);
            for (double v : a) if (!Double.isFinite(v)) throw new InvalidInputException.NonFinite("attributes: a value is " + v);
        }
        double[] wMean = new double[k];
        for (double[] row : w) for (int j = 0; j < k; j++) wMean[j] += row[j] / n;
        double[][] centred = new double[n][k];
        for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) centred[i][j] = w[i][j] - wMean[j];
        INDArray x = Nd4j.create(centred).castTo(DataType.DOUBLE);
        INDArray gram = x.transpose().mmul(x).addi(Nd4j.eye(k).castTo(DataType.DOUBLE).muli(lambda));
        INDArray inverse = InvertMatrix.invert(gram, false);
        double[][] weights = new double[m][];
        double[] biases = new double[m];
        for (int a = 0; a < m; a++) {
            double[] y = new double[n];
            double yMean = 0;
            for (int i = 0; i < n; i++) yMean += attributes[i][a] / n;
            for (int i = 0; i < n; i++) y[i] = attributes[i][a] - yMean;
            INDArray b = inverse.mmul(x.transpose().mmul(Nd4j.createFromArray(y).reshape(n, 1)));
            weights[a] = b.reshape(k).toDoubleVector();
            double c = yMean;
            for (int j = 0; j < k; j++) c -= weights[a][j] * wMean[j];
            biases[a] = c;
        }
        return new AttributeProbes(names, weights, biases);
    }

    /** The probes' predictions [N][m] for codes [N, k...]. */
    public double[][] predict(INDArray codes) {
        double[][] w = rowsOf(codes);
        double[][] out = new double[w.length][names.size()];
        for (int i = 0; i < w.length; i++) {
            for (int a = 0; a < names.size(); a++) {
                double s = biases[a];
                for (int j = 0; j < w[i].length; j++) s += weights[a][j] * w[i][j];
                out[i][a] = s;
            }
        }
        return out;
    }

    /** Local scores [N][m]: the predicted change of each attribute from {@code codes} to {@code counterfactualCodes}. */
    public double[][] localScores(INDArray codes, INDArray counterfactualCodes) {
        Metrics.checkSameShape(codes, "codes", counterfactualCodes, "counterfactualCodes");
        double[][] before = predict(codes), after = predict(counterfactualCodes);
        for (int i = 0; i < before.length; i++) for (int a = 0; a < before[i].length; a++) after[i][a] -= before[i][a];
        return after;
    }

    /** The mean local score of each attribute over the rows {@code rows} of {@code local} (a global score). */
    public static double[] globalScores(double[][] local, List<Integer> rows) {
        Checks.notNull(local, "local");
        if (rows.isEmpty()) throw new InvalidInputException.Shape("a global score needs at least one counterfactual");
        double[] out = new double[local[rows.get(0)].length];
        for (int r : rows) for (int a = 0; a < out.length; a++) out[a] += local[r][a] / rows.size();
        return out;
    }

    /** Attribute indices by decreasing |score|. */
    public static List<Integer> ranking(double[] scores) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) order.add(i);
        order.sort((p, q) -> Double.compare(Math.abs(scores[q]), Math.abs(scores[p])));
        return order;
    }

    private double[][] rowsOf(INDArray codes) {
        Checks.notNull(codes, "codes");
        double[][] w = Metrics.rows(codes);
        int k = weights.length == 0 ? 0 : weights[0].length;
        if (w.length > 0 && w[0].length != k) {
            throw new InvalidInputException.Mismatch("codes: the probes read " + k + " values per code, got " + w[0].length);
        }
        return w;
    }
}
