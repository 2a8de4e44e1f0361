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

class FrechetDistanceTest {
    private static final String[] CASES = {"fid_small", "fid_medium", "fid_singular"};

    @Test
    void matchesPytorchFidWithScipySqrtm() {
        // expected: pytorch-fid's formula (numpy.cov + scipy.linalg.sqrtm) in scripts/make_metric_fixtures.py
        double[] expected = Fixtures.doubles("fid_expected");
        for (int c = 0; c < CASES.length; c++) {
            FeatureMoments a = new FeatureMoments().add(Fixtures.load(CASES[c] + "_a"));
            FeatureMoments b = new FeatureMoments().add(Fixtures.load(CASES[c] + "_b"));
            double fid = FrechetDistance.between(a, b).value();
            assertThat(Math.abs(fid - expected[c]) / expected[c]).as(CASES[c] + ": " + fid + " vs " + expected[c])
                    .isLessThan(1e-6);
        }
    }

    @Test
    void streamingOverChunksEqualsAllAtOnce() {
        INDArray a = Fixtures.load("fid_medium_a");
        INDArray b = Fixtures.load("fid_medium_b");
        FeatureMoments whole = new FeatureMoments().add(a);
        FeatureMoments chunked = new FeatureMoments();
        for (long from = 0; from < a.size(0); from += 37) {
            chunked.add(a.get(NDArrayIndex.interval(from, Math.min(a.size(0), from + 37)), NDArrayIndex.all()));
        }
        // and a merge of two partial accumulators, one of them fed in float32
        FeatureMoments left = new FeatureMoments().add(b.get(NDArrayIndex.interval(0, 123), NDArrayIndex.all()));
        FeatureMoments right = new FeatureMoments().add(b.get(NDArrayIndex.interval(123, 500), NDArrayIndex.all()));
        FeatureMoments merged = left.merge(right);
        FeatureMoments bWhole = new FeatureMoments().add(b);

        assertThat(chunked.count()).isEqualTo(500);
        assertThat(maxAbsDiff(chunked.mean(), whole.mean())).isLessThan(1e-12);
        assertThat(maxAbsDiff(chunked.covariance(), whole.covariance())).isLessThan(1e-10);
        double all = FrechetDistance.between(whole, bWhole).value();
        double streamed = FrechetDistance.between(chunked, merged).value();
        assertThat(Math.abs(streamed - all) / all).isLessThan(1e-10);

        // Fid over image-free features, in uneven chunks, gives the same
        Fid fid = new Fid(null, true);
        for (long from = 0; from < 500; from += 64) {
            long to = Math.min(500, from + 64);
            fid.addFeatures(a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()),
                    b.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()), null);
        }
        assertThat(fid.value().value()).isCloseTo(all, within(all * 1e-10));
        assertThat(fid.value().count()).isEqualTo(500);
    }

    @Test
    void identicalSetsHaveZeroDistance() {
        INDArray a = Fixtures.load("fid_small_a");
        double fid = FrechetDistance.between(new FeatureMoments().add(a), new FeatureMoments().add(a)).value();
        assertThat(fid).isCloseTo(0.0, within(1e-8));
    }

    @Test
    void constantFeaturesGiveAFiniteDistance() {
        // zero covariance on one side: FID = ||mu1 - mu2||^2 + tr(S2)
        INDArray constant = Nd4j.ones(DataType.DOUBLE, 10, 4).muli(0.5);
        INDArray other = Nd4j.create(new double[][] {{0, 0, 0, 0}, {1, 1, 1, 1}, {0, 1, 0, 1}});
        double fid = FrechetDistance.between(new FeatureMoments().add(constant), new FeatureMoments().add(other)).value();
        // mean of other = [1/3, 2/3, 1/3, 2/3]; ||diff||^2 = 4 * (1/6)^2 = 1/9; var of each column = 1/3 -> tr = 4/3
        assertThat(fid).isCloseTo(1.0 / 9 + 4.0 / 3, within(1e-12));
        double both = FrechetDistance.between(new FeatureMoments().add(constant), new FeatureMoments().add(constant)).value();
        assertThat(both).isEqualTo(0.0);
    }

    @Test
    void singleSampleIsUndefinedWithAReason() {
        FeatureMoments one = new FeatureMoments().add(Nd4j.create(new double[][] {{1, 2}}));
        FeatureMoments two = new FeatureMoments().add(Nd4j.create(new double[][] {{1, 2}, {3, 4}}));
        MetricValue v = FrechetDistance.between(one, two);
        assertThat(v.isDefined()).isFalse();
        assertThat(v.reason()).hasValueSatisfying(r -> assertThat(r).contains("at least 2 samples"));
        assertThatThrownBy(v::value).isInstanceOf(UndefinedMetricException.class).hasMessageContaining("at least 2");
    }

    @Test
    void differentDimensionsAreRejected() {
        FeatureMoments a = FeatureMoments.of(new double[][] {{1, 2}, {3, 4}});
        FeatureMoments b = FeatureMoments.of(new double[][] {{1, 2, 3}, {3, 4, 5}});
        assertThatThrownBy(() -> FrechetDistance.between(a, b)).isInstanceOf(InvalidInputException.Shape.class);
        assertThatThrownBy(() -> a.add(Nd4j.create(new double[][] {{1, 2, 3}})))
                .isInstanceOf(InvalidInputException.Shape.class).hasMessageContaining("dimension 2");
    }

    private static double maxAbsDiff(INDArray x, INDArray y) {
        return x.sub(y).amaxNumber().doubleValue();
    }
}
