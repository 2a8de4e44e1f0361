package org.acejvm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class SFidTest {

    @Test
    void permutationIsTheSameAsThePythonScripts() {
        assertThat(SFid.permutation(10, 7)).containsExactly(Fixtures.ints("sfid_perm10_seed7"));
    }

    @Test
    void matchesPythonWithAllAndWithSuccessfulOnly() {
        double[] expected = Fixtures.doubles("sfid_expected"); // [all counterfactuals, successful only]; 3 splits, seed 7
        INDArray orig = Fixtures.load("sfid_orig");
        INDArray cf = Fixtures.load("sfid_cf");
        boolean[] success = Fixtures.booleans("sfid_success");

        SFid all = new SFid(null, false, 3, 7).addFeatures(orig, cf, success);
        assertThat(all.value().value()).isCloseTo(expected[0], within(expected[0] * 1e-6));
        assertThat(all.result().perSplit()).hasSize(3);

        // streamed in three uneven chunks
        SFid ok = new SFid(null, true, 3, 7);
        int[][] chunks = {{0, 17}, {17, 41}, {41, 60}};
        for (int[] c : chunks) {
            boolean[] s = java.util.Arrays.copyOfRange(success, c[0], c[1]);
            ok.addFeatures(orig.get(NDArrayIndex.interval(c[0], c[1]), NDArrayIndex.all()),
                    cf.get(NDArrayIndex.interval(c[0], c[1]), NDArrayIndex.all()), s);
        }
        assertThat(ok.value().value()).isCloseTo(expected[1], within(expected[1] * 1e-6));
        int successes = 0;
        for (boolean b : success) if (b) successes++;
        assertThat(ok.value().count()).isEqualTo(successes);
    }

    @Test
    void noSuccessfulCounterfactualIsUndefined() {
        INDArray orig = Fixtures.load("sfid_orig");
        INDArray cf = Fixtures.load("sfid_cf");
        MetricValue v = new SFid(null, true, 2, 1).addFeatures(orig, cf, new boolean[60]).value();
        assertThat(v.isDefined()).isFalse();
        assertThat(v.reason()).contains("no successful counterfactuals");
        Fid fid = new Fid(null, true).addFeatures(orig, cf, new boolean[60]);
        assertThat(fid.value().reason()).contains("no successful counterfactuals");
        assertThat(new SFid(null, true, 2, 1).value().reason()).contains("no images were evaluated");
    }

    @Test
    void tooFewSamplesInAHalfIsUndefinedWithTheSplit() {
        INDArray three = Nd4j.rand(DataType.DOUBLE, 3, 4);
        MetricValue v = new SFid(null, false, 2, 1).addFeatures(three, three.add(0.1), null).value();
        assertThat(v.isDefined()).isFalse();
        assertThat(v.reason().orElseThrow()).startsWith("split 0:").contains("at least 2 samples");
    }

    @Test
    void mismatchedCountsAreRejected() {
        INDArray a = Nd4j.rand(DataType.DOUBLE, 5, 4);
        INDArray b = Nd4j.rand(DataType.DOUBLE, 4, 4);
        assertThatThrownBy(() -> new SFid(null, true, 1, 0).addFeatures(a, b, null))
                .isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> new SFid(null, true, 1, 0).addFeatures(a, a, new boolean[3]))
                .isInstanceOf(InvalidInputException.Mismatch.class);
        assertThatThrownBy(() -> new Fid(null, true).addFeatures(a, b, null))
                .isInstanceOf(InvalidInputException.Mismatch.class);
    }
}
