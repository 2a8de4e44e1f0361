package org.acejvm.examples.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.io.Npz;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The shipped classifier against PyTorch: logits and the input gradient of sum(logits * upstream) on 16 test images,
 * computed in float64 by scripts/make_fmnist_cnn_reference.py from the same weight file. Checks the architecture
 * mapping (YXIO weights, padding and stride, flatten order, normalisation) and SameDiff's backward pass.
 */
class FashionCnnReferenceTest {
    static final String FIXTURE = "/fmnist-cnn/torch_reference.npz";

    @Test
    void logitsAndInputGradientMatchPyTorch() throws Exception {
        Map<String, INDArray> ref;
        byte[] weights;
        try (InputStream in = getClass().getResourceAsStream(FIXTURE)) {
            assertThat(in).as(FIXTURE).isNotNull();
            ref = Npz.read(in, FIXTURE);
        }
        try (InputStream in = getClass().getResourceAsStream(FashionCnn.DEFAULT_RESOURCE)) {
            assertThat(in).as(FashionCnn.DEFAULT_RESOURCE).isNotNull();
            weights = in.readAllBytes();
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights));
        String refSha = new String(toBytes(ref.get("weights_sha256")), StandardCharsets.US_ASCII);
        assertThat(refSha).as("the reference was made from another weight file: re-run "
                + "scripts/make_fmnist_cnn_reference.py after retraining").isEqualTo(sha);

        SameDiffClassifier c = FashionCnn.loadDefault();
        INDArray x = ref.get("images");
        INDArray logits = c.logits(x);
        INDArray expected = ref.get("logits");
        double logitErr = Transforms.abs(logits.sub(expected)).maxNumber().doubleValue();
        assertThat(logitErr).as("max |logit - torch|").isLessThan(1e-3 * Math.max(1, expected.amaxNumber().doubleValue()));
        assertThat(logits.argMax(1).toIntVector()).containsExactly(expected.argMax(1).toIntVector());

        INDArray g = c.inputGradient(x, ref.get("upstream"));
        INDArray eg = ref.get("gradient");
        double rel = Transforms.abs(g.sub(eg)).maxNumber().doubleValue() / eg.amaxNumber().doubleValue();
        org.slf4j.LoggerFactory.getLogger(FashionCnnReferenceTest.class).info(
                "fmnist-cnn vs PyTorch float64: max |logit diff| {}, max |grad diff| / max |grad| {}", logitErr, rel);
        assertThat(rel).as("max |grad - torch| / max |torch grad|").isLessThan(1e-3);
    }

    private static byte[] toBytes(INDArray a) {
        int[] v = a.castTo(DataType.INT32).toIntVector();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }
}
