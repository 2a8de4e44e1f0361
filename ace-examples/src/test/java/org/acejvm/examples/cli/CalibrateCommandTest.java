package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.acejvm.core.io.Images;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.RunnerUp;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.batch.MethodSpec;
import org.acejvm.refine.batch.ResultStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** ace calibrate writes a method that ace explain --settings runs; the smallest grid on the embedded models. */
class CalibrateCommandTest {
    @TempDir Path dir;

    @Test
    void theCalibratedSettingsRoundTripIntoExplain() throws Exception {
        Path cal = dir.resolve("cal");
        int code = AceCommand.execute("calibrate", "--count", "2", "--fractions", "0.06,0.1", "--lambdas", "0",
                "--grid-steps", "4", "--grid-images", "1", "--grid-iterations", "1", "--iterations", "1", "--out", cal.toString());
        assertThat(code).isZero();
        Path settings = cal.resolve(CalibrateCommand.SETTINGS_FILE);
        MethodSpec spec = MethodSpec.parse(Files.readString(settings));
        assertThat(spec.iterations()).isEqualTo(1);
        assertThat(spec.lambda1()).isZero();
        assertThat(spec.step()).isEqualTo(4.0 / 255);
        assertThat(spec.fraction()).isIn(0.06, 0.1);
        assertThat(spec.mask().dilation()).isEqualTo(3); // 0.12 of the embedded models' 32 px side
        assertThat(spec.refinement()).isEqualTo(Ablation.ACE);
        assertThat(Files.readString(cal.resolve(CalibrateCommand.REPORT_FILE)))
                .contains("| 0.06 | 3 |").contains("| 0.1 | 5 |").contains("Dilation 3 for a 32 px side");

        var test = FashionMnist.load(FashionMnist.Split.TEST, 1);
        Path image = dir.resolve("test0.png");
        Images.write(test.images(0, 1), image);
        int target = DemoCommand.confusableWith(EmbeddedDefault.classifier().predict(test.images(0, 1))[0]);
        Path explained = dir.resolve("explained");
        code = AceCommand.execute("explain", "--settings", settings.toString(), "--image", image.toString(),
                "--target", String.valueOf(target), "--out", explained.toString());
        assertThat(code).isZero();
        String stored = Files.readString(explained.resolve(ResultStore.SETTINGS));
        assertThat(stored).contains("Explainer(calibrated, PGD").contains("iterations=1,").contains("lambda1=0.0,")
                .contains("step=" + 4.0 / 255);
    }

    @Test
    void runnerUpIsTheSecondMostProbableClass() {
        var p = Nd4j.create(new float[] {0.1f, 0.6f, 0.3f, 0.5f, 0.2f, 0.3f, 0.2f, 0.2f, 0.6f}, new long[] {3, 3}, DataType.FLOAT);
        assertThat(RunnerUp.of(p)).containsExactly(2, 2, 0);
    }
}
