package org.acejvm.attacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.graph.ImageMap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The objective graph's loss and input gradient against hand-computed values on a linear classifier. */
class ObjectiveTest {
    private static final int K = 3;
    private final INDArray w = TinyNets.randomMatrix(TinyNets.D, K, 11, 0.5);
    private final INDArray b = TinyNets.randomMatrix(1, K, 12, 0.1);
    private final INDArray w1 = TinyNets.randomMatrix(TinyNets.D, 1, 13, 0.5);
    private final INDArray b1 = TinyNets.randomMatrix(1, 1, 14, 0.1);

    private static float[] f(INDArray a) { return a.castTo(DataType.FLOAT).dup('c').data().asFloat(); }

    private double[][] logits(INDArray x, INDArray wm, INDArray bm) {
        float[] xv = f(x), wv = f(wm), bv = f(bm);
        int n = (int) x.size(0), k = (int) wm.size(1);
        double[][] z = new double[n][k];
        for (int i = 0; i < n; i++) for (int c = 0; c < k; c++) {
            double s = bv[c];
            for (int j = 0; j < TinyNets.D; j++) s += xv[i * TinyNets.D + j] * wv[j * k + c];
            z[i][c] = s;
        }
        return z;
    }

    private static INDArray oneHot(int[] t, int k) {
        INDArray o = Nd4j.zeros(DataType.FLOAT, t.length, k);
        for (int i = 0; i < t.length; i++) o.putScalar(i, t[i], 1f);
        return o;
    }

    @Test
    void crossEntropyGradientIsWTimesSoftmaxMinusOneHot() {
        SameDiffClassifier c = TinyNets.linear(w, b, false);
        Objective obj = new Objective(c, ImageMap.identity(), SearchSpace.pixels(), new ClassLoss.CrossEntropy(), 0, 0);
        INDArray x = TinyNets.images(4, 1, 0, 1);
        int[] t = {0, 2, 1, 2};
        double scale = 1.0 / 16;
        Objective.Evaluation ev = obj.evaluate(x, x, oneHot(t, K), scale, 1, Map.of());
        double[][] z = logits(x, w, b);
        float[] wv = f(w);
        float[] g = f(ev.gradient());
        double total = 0;
        for (int i = 0; i < 4; i++) {
            double m = Math.max(z[i][0], Math.max(z[i][1], z[i][2]));
            double se = 0;
            for (int c2 = 0; c2 < K; c2++) se += Math.exp(z[i][c2] - m);
            double[] p = new double[K];
            for (int c2 = 0; c2 < K; c2++) p[c2] = Math.exp(z[i][c2] - m) / se;
            double ce = -Math.log(p[t[i]]);
            total += ce;
            assertThat(ev.classLoss().getDouble(i)).isCloseTo(ce, within(1e-4));
            for (int j = 0; j < TinyNets.D; j++) {
                double gj = 0;
                for (int c2 = 0; c2 < K; c2++) gj += wv[j * K + c2] * (p[c2] - (c2 == t[i] ? 1 : 0));
                assertThat((double) g[i * TinyNets.D + j]).isCloseTo(gj * scale, within(1e-6));
            }
        }
        assertThat(ev.loss()).isCloseTo(total * scale, within(1e-5));
    }

    @Test
    void binaryCrossEntropyGradientIsWTimesSigmoidMinusTarget() {
        SameDiffClassifier c = TinyNets.linear(w1, b1, true);
        Objective obj = new Objective(c, ImageMap.identity(), SearchSpace.pixels(), new ClassLoss.CrossEntropy(), 0, 0);
        INDArray x = TinyNets.images(3, 2, 0, 1);
        float[] t = {1, 0, 1};
        Objective.Evaluation ev = obj.evaluate(x, x, Nd4j.create(t, new long[] {3, 1}, DataType.FLOAT), -0.5, 1, Map.of());
        double[][] z = logits(x, w1, b1);
        float[] wv = f(w1);
        float[] g = f(ev.gradient());
        for (int i = 0; i < 3; i++) {
            double s = 1 / (1 + Math.exp(-z[i][0]));
            double bce = -(t[i] * Math.log(s) + (1 - t[i]) * Math.log(1 - s));
            assertThat(ev.classLoss().getDouble(i)).isCloseTo(bce, within(1e-4));
            for (int j = 0; j < TinyNets.D; j++) {
                assertThat((double) g[i * TinyNets.D + j]).isCloseTo(-0.5 * wv[j] * (s - t[i]), within(1e-6));
            }
        }
    }

    @Test
    void bceIsFiniteForHugeLogits() {
        INDArray big = w1.mul(1000);
        SameDiffClassifier c = TinyNets.linear(big, b1, true);
        Objective obj = new Objective(c, ImageMap.identity(), SearchSpace.pixels(), new ClassLoss.CrossEntropy(), 0, 0);
        INDArray x = TinyNets.images(2, 3, 0, 1);
        Objective.Evaluation ev = obj.evaluate(x, x, Nd4j.create(new float[] {0, 1}, new long[] {2, 1}, DataType.FLOAT),
                1, 1, Map.of());
        assertThat(Double.isFinite(ev.loss())).isTrue();
        assertThat(Double.isFinite(ev.gradient().sumNumber().doubleValue())).isTrue();
    }

    @Test
    void hingeMatchesItsDefinitionAndKappa() {
        SameDiffClassifier c = TinyNets.linear(w, b, false);
        double kappa = 0.7;
        Objective obj = new Objective(c, ImageMap.identity(), SearchSpace.pixels(), new ClassLoss.Hinge(kappa), 0, 0);
        INDArray x = TinyNets.images(6, 4, 0, 1);
        int[] t = {0, 1, 2, 0, 1, 2};
        Objective.Evaluation ev = obj.evaluate(x, x, oneHot(t, K), 1, 1, Map.of());
        double[][] z = logits(x, w, b);
        float[] wv = f(w);
        float[] g = f(ev.gradient());
        for (int i = 0; i < 6; i++) {
            int other = -1;
            for (int c2 = 0; c2 < K; c2++) if (c2 != t[i] && (other < 0 || z[i][c2] > z[i][other])) other = c2;
            double margin = z[i][other] - z[i][t[i]];
            assertThat(ev.classLoss().getDouble(i)).isCloseTo(Math.max(margin, -kappa), within(1e-4));
            for (int j = 0; j < TinyNets.D; j++) {
                double gj = margin > -kappa ? wv[j * K + other] - wv[j * K + t[i]] : 0;
                assertThat((double) g[i * TinyNets.D + j]).isCloseTo(gj, within(1e-5));
            }
        }
    }

    @Test
    void binaryHingeIsOnTheSignedLogit() {
        SameDiffClassifier c = TinyNets.linear(w1, b1, true);
        Objective obj = new Objective(c, ImageMap.identity(), SearchSpace.pixels(), new ClassLoss.Hinge(0), 0, 0);
        INDArray x = TinyNets.images(4, 5, 0, 1);
        float[] t = {1, 0, 1, 0};
        Objective.Evaluation ev = obj.evaluate(x, x, Nd4j.create(t, new long[] {4, 1}, DataType.FLOAT), 1, 1, Map.of());
        double[][] z = logits(x, w1, b1);
        for (int i = 0; i < 4; i++) {
            double s = t[i] == 1 ? 1 : -1;
            assertThat(ev.classLoss().getDouble(i)).isCloseTo(Math.max(-2 * s * z[i][0], 0), within(1e-4));
        }
    }

    @Test
    void distanceGradientsAreSignAndUnitDirectionAndZeroAtTheOriginal() {
        SameDiffClassifier c = TinyNets.linear(w, b, false);
        double l1 = 0.01, l2 = 0.3, weight = 0.5;
        Objective obj = new Objective(c, ImageMap.identity(), SearchSpace.pixels(), new ClassLoss.CrossEntropy(), l1, l2);
        INDArray x = TinyNets.images(2, 6, 0.2, 0.8);
        INDArray xa = x.add(TinyNets.images(2, 7, -0.1, 0.1));
        int[] t = {1, 2};
        // class scale 0 isolates the distance term
        Objective.Evaluation ev = obj.evaluate(xa, x, oneHot(t, K), 0, weight, Map.of());
        float[] xv = f(x), av = f(xa), g = f(ev.gradient());
        double expectedLoss = 0;
        for (int i = 0; i < 2; i++) {
            double sq = 0, abs = 0;
            for (int j = 0; j < TinyNets.D; j++) {
                double d = av[i * 64 + j] - xv[i * 64 + j];
                sq += d * d;
                abs += Math.abs(d);
            }
            double norm = Math.sqrt(sq);
            expectedLoss += weight * (l1 * abs + l2 * norm);
            for (int j = 0; j < TinyNets.D; j++) {
                double d = av[i * 64 + j] - xv[i * 64 + j];
                double expected = weight * (l1 * Math.signum(d) + l2 * d / norm);
                assertThat((double) g[i * 64 + j]).isCloseTo(expected, within(1e-6));
            }
        }
        assertThat(ev.loss()).isCloseTo(expectedLoss, within(1e-5));
        Objective.Evaluation at = obj.evaluate(x, x, oneHot(t, K), 0, 1, Map.of());
        assertThat(at.gradient().amaxNumber().doubleValue()).isZero();
        assertThat(at.loss()).isCloseTo(0, within(1e-9));
    }

    @Test
    void tanhSpaceChainsThroughTheChangeOfVariables() {
        SameDiffClassifier c = TinyNets.linear(w, b, false);
        Objective pixels = new Objective(c, ImageMap.identity(), SearchSpace.pixels(), new ClassLoss.Hinge(0), 0, 0);
        Objective tanh = new Objective(c, ImageMap.identity(), SearchSpace.tanh(1e-5, 3), new ClassLoss.Hinge(0), 0, 0);
        INDArray wv = TinyNets.images(2, 8, -2, 2);
        INDArray xAdv = SearchSpace.tanh(1e-5, 3).toImage(wv);
        INDArray target = oneHot(new int[] {2, 0}, K);
        float[] gx = f(pixels.evaluate(xAdv, xAdv, target, 1, 1, Map.of()).gradient());
        float[] gw = f(tanh.evaluate(wv, xAdv, target, 1, 1, Map.of()).gradient());
        float[] ws = f(wv);
        for (int i = 0; i < gx.length; i++) {
            double th = Math.tanh(ws[i]);
            assertThat((double) gw[i]).isCloseTo(gx[i] * 0.5 * (1 - th * th), within(1e-6));
        }
    }

    @Test
    void convNetGradientMatchesFiniteDifferences() {
        SameDiffClassifier c = TinyNets.convDense(3, 21);
        Objective obj = new Objective(c, ImageMap.identity(), SearchSpace.pixels(), new ClassLoss.CrossEntropy(), 0, 0);
        INDArray x = TinyNets.images(2, 9, 0.1, 0.9);
        INDArray target = oneHot(new int[] {1, 2}, K);
        float[] g = f(obj.evaluate(x, x, target, 1, 1, Map.of()).gradient());
        double h = 2e-3;
        for (int idx : new int[] {0, 9, 27, 63, 64, 100, 127}) {
            INDArray xp = x.dup(), xm = x.dup();
            xp.data().put(idx, x.data().getDouble(idx) + h);
            xm.data().put(idx, x.data().getDouble(idx) - h);
            double fp = obj.evaluate(xp, xp, target, 1, 1, Map.of()).loss();
            double fm = obj.evaluate(xm, xm, target, 1, 1, Map.of()).loss();
            assertThat((double) g[idx]).as("pixel " + idx).isCloseTo((fp - fm) / (2 * h), within(1e-3 + 0.02 * Math.abs(g[idx])));
        }
    }
}
