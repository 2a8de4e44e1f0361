package org.acejvm.attacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.io.Npy;
import org.acejvm.core.onnx.OnnxModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The latent-space methods against a PyTorch implementation written from the papers (scripts/make_latent_reference.py:
 * a tiny ConvTranspose decoder of a code (z, a) of 4 + 2 values and a tiny CNN, 6 start codes, 10 iterations each,
 * float64): AIP and the Counterfactual Attack reach the same codes within 1e-4 and stop at the same iteration.
 */
class LatentAttacksReferenceTest {
    private static final int ATTRIBUTES = 2;
    private static final long[] CODE = {6};
    private static final LatentAttacks.AipSettings AIP_10 = LatentAttacks.AipSettings.PAPER.withMaxIterations(10);

    private final OnnxModel decoder = OnnxModel.load(bytes("decoder.onnx"), "decoder.onnx");
    private final SameDiffClassifier classifier = SameDiffClassifier.fromOnnx(OnnxModel.load(bytes("classifier.onnx"), "classifier.onnx"), null, null);
    private final INDArray z0 = Npy.read(bytes("z0.npy"));
    private final int[] targets = ints(Npy.read(bytes("targets.npy")));
    private final LatentSpace space = SearchSpace.latent(decoder, CODE, StartCodes.given(z0));
    private final INDArray originals = space.toImage(z0);

    private static byte[] bytes(String name) {
        try (InputStream in = LatentAttacksReferenceTest.class.getResourceAsStream("/latent/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] ints(INDArray a) {
        long[] v = a.toLongVector();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
        return out;
    }

    private AttackResult run(GradientAttack attack) {
        return attack.prepare(classifier).run(originals, Targets.classes(targets), null, null, null);
    }

    private static void assertMatches(AttackResult r, String reference) {
        double[][] expected = TinyLatent.rows(Npy.read(bytes(reference + "_codes.npy")));
        double[][] actual = TinyLatent.rows(r.search());
        for (int b = 0; b < expected.length; b++) {
            for (int i = 0; i < expected[b].length; i++) {
                assertThat(actual[b][i]).as(reference + " sample " + b + " code " + i).isCloseTo(expected[b][i], within(1e-4));
            }
        }
        assertThat(r.iterations()).as(reference + " iterations").containsExactly(ints(Npy.read(bytes(reference + "_iterations.npy"))));
    }

    @Test
    void aipMatchesThePaperAlgorithmInPyTorch() {
        AttackResult r = run(LatentAttacks.aip(space, ATTRIBUTES, AIP_10));
        assertMatches(r, "aip");
        // the reference's mix: three codes flip after one step, one after six, two never within ten
        assertThat(r.reached()).containsExactly(false, true, true, true, false, true);
    }

    @Test
    void counterfactualAttackMatchesAdamOnTheTargetProbabilityInPyTorch() {
        GradientAttack cf = LatentAttacks.counterfactualAttack(space, 0.05, 0.75, 10);
        AttackResult r = run(cf);
        assertMatches(r, "cf");
        for (int b = 0; b < targets.length; b++) {
            if (r.iterations()[b] < 10) assertThat(r.probabilities().getDouble(b, targets[b])).isGreaterThanOrEqualTo(0.75);
        }
    }

    @Test
    void xgemsLeavesTheAttributeBlockAtItsStart() {
        AttackResult r = run(LatentAttacks.xgems(space, ATTRIBUTES, AIP_10));
        double[][] codes = TinyLatent.rows(r.search()), starts = TinyLatent.rows(z0);
        boolean zMoved = false;
        for (int b = 0; b < codes.length; b++) {
            for (int i = 0; i < 6; i++) {
                if (i >= 6 - ATTRIBUTES) assertThat(codes[b][i]).isEqualTo((double) (float) starts[b][i]);
                else zMoved |= codes[b][i] != (double) (float) starts[b][i];
            }
        }
        assertThat(zMoved).isTrue();
    }

    @Test
    void aipRandomIsRepeatableUnderASeedAndIgnoresTheGradient() {
        AttackResult a = run(LatentAttacks.aipRandom(space, ATTRIBUTES, AIP_10, 7));
        AttackResult b = run(LatentAttacks.aipRandom(space, ATTRIBUTES, AIP_10, 7));
        AttackResult c = run(LatentAttacks.aipRandom(space, ATTRIBUTES, AIP_10, 8));
        assertThat(Floats.of(a.search())).containsExactly(Floats.of(b.search()));
        assertThat(Floats.of(a.search())).isNotEqualTo(Floats.of(c.search()));
        assertThat(Floats.of(a.search())).isNotEqualTo(Floats.of(run(LatentAttacks.aip(space, ATTRIBUTES, AIP_10)).search()));
    }

    @Test
    void badBlockLayoutsAreTypedErrors() {
        assertThatThrownBy(() -> LatentAttacks.aip(space, 7, AIP_10)).isInstanceOf(InvalidInputException.Mismatch.class)
                .hasMessageContaining("attributeSize").hasMessageContaining("0 to 6");
        GradientAttack wrongScales = new GradientAttack("x", AttackSettings.builder().iterations(1).lambda1(0).build(),
                StepRule.scaledGradient(new double[] {1, 1, 1}), space, new ClassLoss.CrossEntropy(), true);
        assertThatThrownBy(() -> run(wrongScales)).isInstanceOf(InvalidInputException.Mismatch.class)
                .hasMessageContaining("3 given for a search variable of 6 values per sample");
        // a decoder whose images the classifier does not take, and start codes of another size
        SameDiffClassifier other = SameDiffClassifier.fromOnnx(OnnxModel.load(
                bytes("classifier.onnx"), "classifier.onnx"), null, null);
        LatentSpace shortCodes = SearchSpace.latent(decoder, new long[] {5}, StartCodes.given(z0));
        assertThatThrownBy(() -> run(LatentAttacks.aip(shortCodes, 0, AIP_10))).isInstanceOf(InvalidInputException.Shape.class)
                .hasMessageContaining("decoder: cannot decode a code of shape [5]");
        LatentSpace encoderMismatch = SearchSpace.latent(decoder, CODE, StartCodes.given(z0.get(
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)).dup()));
        assertThatThrownBy(() -> run(LatentAttacks.aip(encoderMismatch, 2, AIP_10))).isInstanceOf(InvalidInputException.Shape.class)
                .hasMessageContaining("start codes: expected shape [6, 6], got [6, 4]");
        assertThat(other.inputSpec()).isEqualTo(classifier.inputSpec());
        assertThatThrownBy(() -> StopRule.probabilityAtLeast(0)).isInstanceOf(InvalidInputException.Range.class);
        assertThatThrownBy(() -> new LatentAttacks.AipSettings(1.5, 1.2, 10, 2, 3)).isInstanceOf(InvalidInputException.Range.class)
                .hasMessageContaining("beta");
    }
}
