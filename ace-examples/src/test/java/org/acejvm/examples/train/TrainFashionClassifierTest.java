package org.acejvm.examples.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.examples.models.FashionCnn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training program end to end on a few hundred images (a smoke test: it checks the plumbing, not accuracy). */
class TrainFashionClassifierTest {
    @TempDir Path tmp;

    @Test
    void trainsWritesWeightsAndAModelCard() throws Exception {
        TrainFashionClassifier.main(new String[] {"--epochs", "1", "--train-limit", "320", "--test-limit", "200",
                "--batch", "32", "--lr", "0.003", "--out", tmp.toString()});
        Path weights = tmp.resolve(TrainFashionClassifier.WEIGHTS_FILE);
        Path card = tmp.resolve(TrainFashionClassifier.MODEL_CARD);
        assertThat(weights).exists();
        String text = Files.readString(card);
        assertThat(text).contains(TrainFashionClassifier.sha256(weights)).contains("585930").contains("--train-limit 320");
        FashionCnn.Model m = FashionCnn.read(weights);
        assertThat(m.header().metadata()).containsEntry("epochs", 1);
        SameDiffClassifier c = m.classifier();
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST, 200);
        // 10 updates already beat chance (10%) by a wide margin
        assertThat(TrainFashionClassifier.accuracy(c, test, 100)).isGreaterThan(0.3);
    }

    @Test
    void rejectsUnknownOptions() {
        assertThatThrownBy(() -> TrainFashionClassifier.main(new String[] {"--epoch", "1"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option --epoch");
    }

    @Test
    void learningRateDecaysLinearlyToZero() {
        TrainFashionClassifier.LinearDecay s = new TrainFashionClassifier.LinearDecay(0.002, 1000);
        assertThat(s.valueAt(0, 0)).isEqualTo(0.002);
        assertThat(s.valueAt(500, 3)).isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.valueAt(1000, 0)).isZero();
        assertThat(s.clone().valueAt(250, 0)).isCloseTo(0.0015, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void nd4jPolyScheduleGrowsInsteadOfDecaying() {
        // why TrainFashionClassifier has its own schedule: if this starts failing, ND4J fixed PolySchedule
        org.nd4j.linalg.schedule.PolySchedule p = new org.nd4j.linalg.schedule.PolySchedule(
                org.nd4j.linalg.schedule.ScheduleType.ITERATION, 0.002, 1.0, 1000);
        assertThat(p.valueAt(500, 0)).isCloseTo(0.003, org.assertj.core.data.Offset.offset(1e-12));
    }
}
