package org.acejvm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.acejvm.core.Classifier;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class OracleAgreementTest {
    private static final ImageSpec SPEC = new ImageSpec(1, 2, 2);
    private static final int K = 4;

    /**
     * Reads the class written into pixel (0, 0) as k / 10 and answers it with probability {@code p}, the other
     * classes sharing 1 - p equally (logits are log-probabilities, so the softmax gives them back exactly).
     */
    private static Classifier reader(double p) {
        return new FakeClassifier(x -> {
            int n = (int) x.size(0);
            INDArray logits = Nd4j.create(DataType.FLOAT, n, K);
            for (int i = 0; i < n; i++) {
                int k = (int) Math.round(x.getDouble(i, 0, 0, 0) * 10);
                for (int c = 0; c < K; c++) logits.putScalar(i, c, Math.log(c == k ? p : (1 - p) / (K - 1)));
            }
            return logits;
        });
    }

    /** Ignores the input: always the same logits, arg-max {@code answer}. */
    private static Classifier constant(int answer) {
        return new FakeClassifier(x -> {
            INDArray row = Nd4j.createFromArray(0f, 0f, 0f, 0f);
            row.putScalar(answer, 2.0);
            return row.reshape(1, K).repeat(0, x.size(0));
        });
    }

    private record FakeClassifier(java.util.function.Function<INDArray, INDArray> f) implements Classifier {
        @Override public ImageSpec inputSpec() { return SPEC; }
        @Override public int numClasses() { return K; }
        @Override public boolean singleLogit() { return false; }
        @Override public INDArray logits(INDArray images) { return f.apply(images); }
    }

    /** Images whose pixel (0, 0) encodes {@code classes[i]} / 10; the other pixels 0.5. */
    private static INDArray encoding(int... classes) {
        INDArray x = Nd4j.valueArrayOf(new long[] {classes.length, 1, 2, 2}, 0.5f);
        for (int i = 0; i < classes.length; i++) x.putScalar(new long[] {i, 0, 0, 0}, classes[i] / 10.0);
        return x;
    }

    @Test
    void anOracleThatAlwaysAnswersTheTargetAgreesOnEverySuccessfulCounterfactual() {
        int[] sources = {0, 1, 2, 3, 0, 1};
        int[] targets = {1, 2, 3, 0, 2, 3};
        OracleAgreement.Result r = OracleAgreement.of(reader(0.7), encoding(sources), encoding(targets), targets, null);
        assertThat(r.agreement().value()).isEqualTo(1.0);
        assertThat(r.count()).isEqualTo(6);
        assertThat(r.pairs()).isEqualTo(6);
        assertThat(r.targetProbabilityAfter().value()).isCloseTo(0.7, within(1e-6));
        assertThat(r.targetProbabilityBefore().value()).isCloseTo(0.1, within(1e-6)); // (1 - 0.7) / 3: source != target
    }

    @Test
    void anOracleThatIgnoresTheInputAgreesWhereTheTargetIsItsAnswer() {
        int[] targets = {2, 0, 2, 1, 3, 2, 2, 1};
        boolean[] successful = {true, true, true, true, true, false, true, true};
        OracleAgreement a = new OracleAgreement(constant(2)).batchSize(3);
        boolean[] agrees = a.add(encoding(new int[8]), encoding(targets), targets, successful);
        // successful pairs: targets 2, 0, 2, 1, 3, 2, 1 -> the answer 2 is the target of 3 of the 7
        assertThat(agrees).containsExactly(true, false, true, false, false, false, true, false);
        OracleAgreement.Result r = a.result();
        assertThat(r.agreement().value()).isCloseTo(3.0 / 7, within(1e-12));
        assertThat(r.agreement().count()).isEqualTo(7);
        assertThat(r.pairs()).isEqualTo(8);
        double pAnswer = Math.exp(2) / (Math.exp(2) + 3), pOther = 1 / (Math.exp(2) + 3);
        double expected = (3 * pAnswer + 4 * pOther) / 7;
        assertThat(r.targetProbabilityBefore().value()).isCloseTo(expected, within(1e-6));
        assertThat(r.targetProbabilityAfter().value()).isCloseTo(expected, within(1e-6));
    }

    @Test
    void meanProbabilitiesByHandOnATinyCaseAcrossBatchesAndCalls() {
        // reader(0.6): the read class gets 0.6, every other class (1 - 0.6) / 3 = 0.1333...
        int[] sources = {0, 1, 2};
        int[] cfClasses = {1, 1, 2}; // pair 0 reaches its target 1 on the oracle; pairs 1 and 2 do not
        int[] targets = {1, 3, 2};   // pair 2's original already shows its target
        boolean[] successful = {true, true, false};
        OracleAgreement a = new OracleAgreement(reader(0.6)).batchSize(1);
        a.add(encoding(sources), encoding(cfClasses), targets, successful);
        OracleAgreement.Result one = a.result();
        assertThat(one.count()).isEqualTo(2);
        assertThat(one.agreement().value()).isCloseTo(0.5, within(1e-12));
        double other = 0.4 / 3;
        assertThat(one.targetProbabilityBefore().value()).isCloseTo((other + other) / 2, within(1e-6));
        assertThat(one.targetProbabilityAfter().value()).isCloseTo((0.6 + other) / 2, within(1e-6));

        a.add(encoding(2), encoding(3), new int[] {2}, new boolean[] {true}); // before 0.6, after 'other', no agreement
        OracleAgreement.Result two = a.result();
        assertThat(two.count()).isEqualTo(3);
        assertThat(two.pairs()).isEqualTo(4);
        assertThat(two.agreement().value()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(two.targetProbabilityBefore().value()).isCloseTo((2 * other + 0.6) / 3, within(1e-6));
        assertThat(two.targetProbabilityAfter().value()).isCloseTo((0.6 + 2 * other) / 3, within(1e-6));
    }

    @Test
    void noSuccessfulCounterfactualIsUndefinedWithAReason() {
        OracleAgreement a = new OracleAgreement(reader(0.7));
        assertThat(a.value().isDefined()).isFalse();
        assertThat(a.value().reason()).hasValue("no counterfactuals were evaluated");
        a.add(encoding(0, 1), encoding(1, 2), new int[] {1, 2}, new boolean[] {false, false});
        OracleAgreement.Result r = a.result();
        assertThat(r.agreement().isDefined()).isFalse();
        assertThat(r.targetProbabilityBefore().isDefined()).isFalse();
        assertThat(r.targetProbabilityAfter().isDefined()).isFalse();
        assertThat(r.agreement().reason()).hasValue("none of the 2 counterfactuals succeeded on the explained classifier");
        assertThat(r.pairs()).isEqualTo(2);
        assertThat(r.count()).isZero();
    }

    @Test
    void badInputIsNamed() {
        OracleAgreement a = new OracleAgreement(reader(0.7));
        INDArray x = encoding(0, 1, 2);
        assertThatThrownBy(() -> a.add(x, encoding(1, 2), new int[] {1, 2, 3}, null))
                .isInstanceOf(InvalidInputException.Mismatch.class).hasMessageContaining("counterfactuals");
        assertThatThrownBy(() -> a.add(x, encoding(1, 2, 3), new int[] {1, 2}, null))
                .isInstanceOf(InvalidInputException.Mismatch.class).hasMessageContaining("targets");
        assertThatThrownBy(() -> a.add(x, encoding(1, 2, 3), new int[] {1, 2, 3}, new boolean[2]))
                .isInstanceOf(InvalidInputException.Mismatch.class).hasMessageContaining("successful");
        assertThatThrownBy(() -> a.add(x, encoding(1, 2, 3), new int[] {1, K, 3}, null))
                .isInstanceOf(InvalidInputException.ClassIndex.class).hasMessageContaining("targets[1]");
        assertThatThrownBy(() -> a.add(x, encoding(1, 2, 3), new int[] {1, -1, 3}, null))
                .isInstanceOf(InvalidInputException.ClassIndex.class);
        assertThatThrownBy(() -> a.add(x, Nd4j.zeros(DataType.FLOAT, 3, 1, 3, 3), new int[] {1, 2, 3}, null))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("counterfactuals");
        assertThatThrownBy(() -> a.add(x, encoding(1, 2, 3).addi(1), new int[] {1, 2, 3}, null))
                .isInstanceOf(InvalidInputException.Range.class).hasMessageContaining("counterfactuals");
        assertThatThrownBy(() -> new OracleAgreement(null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("oracle");
        assertThatThrownBy(() -> a.batchSize(0)).isInstanceOf(InvalidInputException.Range.class)
                .hasMessageContaining("batchSize");
        assertThat(a.result().pairs()).isZero(); // nothing was counted by the rejected calls
    }
}
