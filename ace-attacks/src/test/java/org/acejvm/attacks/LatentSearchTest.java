package org.acejvm.attacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.core.graph.ImageMap;
import org.acejvm.core.graph.Weights;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A latent code searched through the same objective and loop as pixels, checked against closed forms. */
class LatentSearchTest {
    private static final long[] CODE = {TinyLatent.CODE};
    private final TinyLatent net = new TinyLatent(3, 5);

    private static INDArray oneHot(int[] t, int k) {
        double[][] m = new double[t.length][k];
        for (int i = 0; i < t.length; i++) m[i][t[i]] = 1;
        return TinyLatent.matrix(m);
    }

    @Test
    void codeGradientIsTheDecoderChainOfTheClassLossPlusTheLatentPenalty() {
        double alpha = 0.2, scale = 1.0 / 16, weight = 0.5;
        INDArray z0 = TinyLatent.codes(3, 1);
        INDArray z = z0.add(TinyLatent.codes(3, 2).mul(0.2));
        int[] t = {1, 2, 0};
        Objective obj = new Objective(net.classifier, ImageMap.identity(),
                SearchSpace.latent(net.decoder, CODE, StartCodes.given(z0)), new ClassLoss.CrossEntropy(),
                List.of(Penalty.latentL2(alpha)));
        Objective.Evaluation ev = obj.evaluate(z, net.images(z0), z0, oneHot(t, 3), scale, weight, Map.of());
        double[][] zs = TinyLatent.rows(z), starts = TinyLatent.rows(z0), g = TinyLatent.rows(ev.gradient());
        double[][] logits = net.logits(net.decode(zs));
        double loss = 0;
        for (int b = 0; b < 3; b++) {
            double max = Math.max(logits[b][0], Math.max(logits[b][1], logits[b][2]));
            double sum = 0;
            for (double l : logits[b]) sum += Math.exp(l - max);
            double[] u = new double[3];
            for (int k = 0; k < 3; k++) u[k] = scale * (Math.exp(logits[b][k] - max) / sum - (k == t[b] ? 1 : 0));
            double[] expected = net.codeGradient(u);
            double sq = 0;
            for (int i = 0; i < TinyLatent.CODE; i++) sq += (zs[b][i] - starts[b][i]) * (zs[b][i] - starts[b][i]);
            double norm = Math.sqrt(sq);
            loss += scale * (max + Math.log(sum) - logits[b][t[b]]) + weight * alpha * norm;
            for (int i = 0; i < TinyLatent.CODE; i++) {
                double penalty = weight * alpha * (zs[b][i] - starts[b][i]) / norm;
                assertThat(g[b][i]).as("sample " + b + " code " + i).isCloseTo(expected[i] + penalty, within(1e-5));
            }
        }
        assertThat(ev.loss()).isCloseTo(loss, within(1e-5));
        // at the start code the penalty adds nothing to the gradient
        double[][] atStart = TinyLatent.rows(obj.evaluate(z0, net.images(z0), z0, oneHot(t, 3), 0, 1, Map.of()).gradient());
        for (double[] row : atStart) for (double v : row) assertThat(v).isZero();
    }

    @Test
    void adamOnTheCodeStopsOnceTheTargetIsReachedAndReturnsTheCode() {
        INDArray z0 = TinyLatent.codes(4, 3);
        INDArray x = net.images(z0);
        int[] pred = net.classifier.predict(x);
        int[] t = new int[4];
        for (int i = 0; i < 4; i++) t[i] = (pred[i] + 1) % 3;
        int iterations = 300;
        AttackSettings st = AttackSettings.builder().iterations(iterations).step(0.05).lambda1(0)
                .penalties(Penalty.latentL2(0.01)).stopRule(StopRule.targetReached(0.2)).build();
        GradientAttack attack = new GradientAttack("latent Adam", st, StepRule.adam(0.9, 0.999, 1e-8),
                SearchSpace.latent(net.decoder, CODE, StartCodes.given(z0)).clamped(-1, 1), new ClassLoss.CrossEntropy(), false);
        List<AttackIteration> events = new ArrayList<>();
        AttackResult r = attack.prepare(net.classifier).run(x, Targets.classes(t), null, null, events::add);

        assertThat(r.search().shape()).containsExactly(4, TinyLatent.CODE);
        assertThat(Floats.of(r.start())).containsExactly(Floats.of(z0));
        assertThat(r.reached()).containsOnly(true);
        double[][] codes = TinyLatent.rows(r.search());
        double[][] decoded = net.decode(codes);
        double[][] adversarial = TinyLatent.rows(r.adversarial());
        int maxSpent = 0;
        for (int b = 0; b < 4; b++) {
            assertThat(r.iterations()[b]).isBetween(1, iterations - 1);
            maxSpent = Math.max(maxSpent, r.iterations()[b]);
            for (int j = 0; j < TinyLatent.PIXELS; j++) assertThat(adversarial[b][j]).isCloseTo(decoded[b][j], within(1e-6));
            for (double v : codes[b]) assertThat(v).isBetween(-1.0, 1.0);
            assertThat(r.probabilities().getDouble(b, t[b])).isGreaterThan(r.initialProbabilities().getDouble(b, t[b]));
        }
        // the loop ran until the last sample stopped; each stopped sample kept the code its rule fired at
        assertThat(events).hasSize(maxSpent + 1);
        float[] p = Floats.of(r.probabilities());
        for (int b = 0; b < 4; b++) {
            assertThat(st.stopRule().reached(new float[] {p[3 * b], p[3 * b + 1], p[3 * b + 2]}, pred[b], t[b], true)).isTrue();
        }
    }

    @Test
    void startCodesComeFromAnEncoderOrBySampleId() {
        INDArray e = TinyNets.randomMatrix(TinyLatent.PIXELS, TinyLatent.CODE, 9, 0.3);
        Weights w = Weights.frozen("encoder", Map.of("e", e));
        GraphFunction encoder = new GraphFunction() {
            @Override public SDVariable[] call(SameDiff sd, String callName, SDVariable... in) {
                return new SDVariable[] {in[0].reshape(-1, TinyLatent.PIXELS).mmul(w.get(sd, "e"))};
            }
            @Override public List<String> inputNames() { return List.of("images"); }
            @Override public List<String> outputNames() { return List.of("codes"); }
        };
        INDArray x = net.images(TinyLatent.codes(3, 4));
        double[][] xs = TinyLatent.rows(x), es = TinyLatent.rows(e);
        double[][] encoded = TinyLatent.rows(SearchSpace.latent(net.decoder, CODE, StartCodes.encoder(encoder)).start(x));
        for (int b = 0; b < 3; b++) {
            for (int i = 0; i < TinyLatent.CODE; i++) {
                double s = 0;
                for (int j = 0; j < TinyLatent.PIXELS; j++) s += xs[b][j] * es[j][i];
                assertThat(encoded[b][i]).isCloseTo(s, within(1e-5));
            }
        }
        INDArray table = TinyLatent.codes(5, 6);
        LatentSpace given = SearchSpace.latent(net.decoder, CODE, StartCodes.given(table));
        double[][] rows = TinyLatent.rows(given.start(x, new long[] {4, 0, 2}));
        double[][] expected = TinyLatent.rows(table);
        assertThat(rows[0]).containsExactly(expected[4]);
        assertThat(rows[1]).containsExactly(expected[0]);
        assertThat(rows[2]).containsExactly(expected[2]);
        assertThatThrownBy(() -> given.start(x, new long[] {0, 1, 5})).isInstanceOf(InvalidInputException.Mismatch.class)
                .hasMessageContaining("5");
        assertThatThrownBy(() -> SearchSpace.latent(net.decoder, new long[] {8}, StartCodes.given(table)).start(x))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("[3, 8]");
    }

    @Test
    void imageSpaceResultsCarryTheirSearchValues() {
        INDArray x = TinyNets.images(2, 15, 0.2, 0.8);
        AttackSettings st = AttackSettings.builder().iterations(3).step(0.1).build();
        AttackResult pgd = Attacks.pgd(st).prepare(TinyNets.linear(3, 31)).run(x, Targets.untargeted());
        assertThat(Floats.of(pgd.search())).containsExactly(Floats.of(pgd.adversarial()));
        assertThat(Floats.of(pgd.start())).containsExactly(Floats.of(x));
        AttackResult cw = Attacks.cw(0, st).prepare(TinyNets.linear(3, 31)).run(x, Targets.classes(0, 1).allowingSource());
        SearchSpace tanh = SearchSpace.tanh(Attacks.CW_SHRINK, Attacks.CW_LIMIT);
        assertThat(Floats.of(tanh.toImage(cw.search()))).containsExactly(Floats.of(cw.adversarial()));
        assertThat(Floats.of(cw.start())).containsExactly(Floats.of(tanh.start(x)));
    }
}
