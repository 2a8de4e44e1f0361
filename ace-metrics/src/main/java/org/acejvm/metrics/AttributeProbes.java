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
 * Linear probes of attributes on latent codes (Counterfactual Attacks' attribution): one probe
 * {@code b_j . w + c_j} per attribute, fitted on the codes w of a labelled set: a ridge regression for a continuous
 * attribute ({@link #fitRidge}; the probe predicts the attribute's value), a logistic regression for a binary one
 * ({@link #fitLogistic}; the probe predicts its log-odds). A counterfactual's local score of attribute j is
 * {@code s_j = b_j . (w_cf - w)} (the probe's predicted change; no decoding needed), and the global score of a group
 * of counterfactuals (for a multiclass classifier, one source/target pair) is the mean of their local scores.
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
        Checks.nonNegative(lambda, "lambda");
        Checks.notNull(attributes, "attributes");
        double[][] w = labelledCodes(codes, attributes.length, "attribute rows", names);
        int n = w.length, m = names.size(), k = w[0].length;
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

    /** Epochs of the logistic probes' stochastic gradient training (Tribuo's default is 5; codes are few and small). */
    public static final int LOGISTIC_EPOCHS = 20;

    /**
     * Logistic regressions of binary {@code labels} [N][m] on {@code codes} [N, k...] (flattened), trained with Tribuo's
     * {@code LinearSGDTrainer} (log loss, AdaGrad, {@value #LOGISTIC_EPOCHS} epochs, shuffled with {@code seed}, so
     * the same inputs give the same probes). Each probe's weights and bias give the log-odds of its attribute being
     * true. Every attribute needs both values among the labels.
     */
    public static AttributeProbes fitLogistic(INDArray codes, boolean[][] labels, List<String> names, long seed) {
        Checks.notNull(labels, "labels");
        double[][] w = labelledCodes(codes, labels.length, "label rows", names);
        int n = w.length, m = names.size(), k = w[0].length;
        for (boolean[] l : labels) {
            if (l.length != m) throw new InvalidInputException.Mismatch("labels: expected " + m + " per code (" + names + "), got " + l.length);
        }
        // zero-padded names: Tribuo numbers features in name order, so index j of the code is feature j
        String[] features = new String[k];
        for (int j = 0; j < k; j++) features[j] = String.format(java.util.Locale.ROOT, "w%07d", j);
        double[][] weights = new double[m][];
        double[] biases = new double[m];
        for (int a = 0; a < m; a++) {
            int positives = 0;
            for (boolean[] l : labels) if (l[a]) positives++;
            if (positives == 0 || positives == n) {
                throw new InvalidInputException.Range("labels of '" + names.get(a) + "': a logistic probe needs codes of both values, all "
                        + n + " are " + (positives == n));
            }
            org.tribuo.classification.LabelFactory factory = new org.tribuo.classification.LabelFactory();
            org.tribuo.MutableDataset<org.tribuo.classification.Label> data = new org.tribuo.MutableDataset<>(
                    new org.tribuo.provenance.SimpleDataSourceProvenance("latent codes", factory), factory);
            for (int i = 0; i < n; i++) {
                data.add(new org.tribuo.impl.ArrayExample<>(new org.tribuo.classification.Label(labels[i][a] ? "true" : "false"),
                        features, w[i]));
            }
            org.tribuo.classification.sgd.linear.LinearSGDTrainer trainer = new org.tribuo.classification.sgd.linear.LinearSGDTrainer(
                    new org.tribuo.classification.sgd.objectives.LogMulticlass(), new org.tribuo.math.optimisers.AdaGrad(1.0, 0.1),
                    LOGISTIC_EPOCHS, Integer.MAX_VALUE, 1, seed);
            org.tribuo.classification.sgd.linear.LinearSGDModel model =
                    (org.tribuo.classification.sgd.linear.LinearSGDModel) trainer.train(data);
            // softmax over (false, true): the log-odds of true is the difference of the two rows (bias last)
            org.tribuo.math.la.DenseMatrix rows = (org.tribuo.math.la.DenseMatrix) model.getWeightsCopy();
            int yes = model.getOutputIDInfo().getID(new org.tribuo.classification.Label("true"));
            int no = model.getOutputIDInfo().getID(new org.tribuo.classification.Label("false"));
            org.tribuo.ImmutableFeatureMap map = model.getFeatureIDMap();
            weights[a] = new double[k];
            for (int j = 0; j < k; j++) {
                int id = map.getID(features[j]);
                if (id >= 0) weights[a][j] = rows.get(yes, id) - rows.get(no, id); // a feature zero in every code has no id
            }
            biases[a] = rows.get(yes, rows.getDimension2Size() - 1) - rows.get(no, rows.getDimension2Size() - 1);
        }
        return new AttributeProbes(names, weights, biases);
    }

    /** The rows of {@code codes}, checked: finite, at least 2, as many as {@code labelRows} rows of labels. */
    private static double[][] labelledCodes(INDArray codes, int labelRows, String what, List<String> names) {
        Checks.notNull(codes, "codes");
        Checks.notNull(names, "names");
        Checks.finite(codes, "codes");
        double[][] w = Metrics.rows(codes);
        if (w.length < 2) throw new InvalidInputException.Shape("probes need at least 2 labelled codes, got " + w.length);
        Checks.sameCount(labelRows, what, w.length, "codes");
        return w;
    }

    /** The probes' predictions [N][m] for codes [N, k...] (values for ridge probes, log-odds for logistic ones). */
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
