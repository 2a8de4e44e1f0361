package org.acejvm.examples.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ImageData;
import org.acejvm.core.result.Scores;
import org.acejvm.refine.MaskSettings;
import org.acejvm.refine.batch.StoredRun;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Stored attacks shown with the masks of the run's settings, not of the run that made them. */
class EvaluationMasksTest {

    @Test void storedAttacksGetTheMaskOfThisRunsSettings() {
        float[] pre = new float[64];
        pre[4 * 8 + 4] = 0.5f;                          // one pixel changed, at (4, 4) of an 8 x 8 black image
        ImageData preImage = new ImageData(new long[] {1, 8, 8}, pre);
        ImageData staleMask = new ImageData(new long[] {1, 8, 8}, new float[64]);
        Scores s = new Scores(1, 0.25, 0.75);
        Explanation stored = new Explanation(7, 0, "Pre-CE", 0, 1, preImage, preImage, staleMask, null, s, s, s, true, true,
                100, 1234);
        StoredRun run = new StoredRun(List.of(stored), 5678);
        var images = Nd4j.zeros(DataType.FLOAT, 1, 1, 8, 8);

        StoredRun wide = Evaluation.withMasks(run, new MaskSettings(3, 0.1), images);
        float[] mask = wide.explanations().get(0).mask().data();
        int area = 0;
        for (float v : mask) area += (int) v;
        assertThat(area).isEqualTo(9);                  // the 3 x 3 block around the changed pixel
        assertThat(mask[3 * 8 + 3]).isEqualTo(1f);
        assertThat(mask[5 * 8 + 5]).isEqualTo(1f);
        assertThat(mask[2 * 8 + 2]).isEqualTo(0f);

        float[] narrow = Evaluation.withMasks(run, new MaskSettings(1, 0.1), images).explanations().get(0).mask().data();
        assertThat(narrow[4 * 8 + 4]).isEqualTo(1f);
        assertThat(narrow[4 * 8 + 5]).isEqualTo(0f);

        // everything but the mask is the stored explanation's, and the run keeps its recorded time
        Explanation e = wide.explanations().get(0);
        assertThat(e.preExplanation()).isEqualTo(preImage);
        assertThat(e.explanation()).isEqualTo(preImage);
        assertThat(List.of(e.sampleId(), e.iterations(), e.nanos(), e.success())).isEqualTo(List.of(7L, 100, 1234L, true));
        assertThat(wide.nanos()).isEqualTo(5678);
    }
}
