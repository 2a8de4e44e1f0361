package org.acejvm.examples.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.io.Npz;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.examples.train.TrainFashionClassifier;
import org.acejvm.metrics.OracleAgreement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped oracle (models/fmnist-oracle, ONNX from PyTorch) through the library's ONNX translator: it equals
 * PyTorch's float64 logits on 16 test images (scripts/make_fmnist_oracle_reference.py), classifies the first 1000
 * test images well, its model card names its hash, and OracleAgreement with it tells real images of the target class
 * from originals. Needs the Debian Fashion-MNIST data set for the accuracy checks, as FashionCnnShippedTest.
 */
class FashionOracleTest {
    private static final Logger LOG = LoggerFactory.getLogger(FashionOracleTest.class);
    static final String FIXTURE = "/fmnist-oracle/torch_reference.npz";
    /** Largest |logit - PyTorch float64| allowed, relative to max(1, the largest |logit|): float32 against float64. */
    static final double TOLERANCE = 1e-4;
    private static SameDiffClassifier oracle;

    @BeforeAll
    static void load() { oracle = EmbeddedDefault.oracle(); }

    @Test
    void translatedOracleEqualsPyTorch() throws Exception {
        Map<String, INDArray> ref;
        try (InputStream in = FashionOracleTest.class.getResourceAsStream(FIXTURE)) {
            assertThat(in).as(FIXTURE).isNotNull();
            ref = Npz.read(in, FIXTURE);
        }
        String refSha = new String(bytes(ref.get("model_sha256")), StandardCharsets.US_ASCII);
        assertThat(refSha).as("the reference was made from another ONNX file: re-run "
                + "scripts/make_fmnist_oracle_reference.py after retraining").isEqualTo(EmbeddedDefault.oracleChecksum());
        INDArray expected = ref.get("logits").castTo(DataType.DOUBLE);
        INDArray logits = oracle.logits(ref.get("images")).castTo(DataType.DOUBLE);
        assertThat(logits.shape()).containsExactly(expected.shape());
        double err = Transforms.abs(logits.sub(expected)).maxNumber().doubleValue();
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        LOG.info(String.format(Locale.ROOT, "fmnist-oracle vs PyTorch float64 on 16 images: max |logit diff| %.2e (max |logit| %.2f)",
                err, expected.amaxNumber().doubleValue()));
        assertThat(err).as("max |logit - torch|").isLessThan(TOLERANCE * scale);
        assertThat(logits.argMax(1).toIntVector()).containsExactly(expected.argMax(1).toIntVector());
    }

    @Test
    void oracleReachesNinetyPercentOnTheFirstThousandTestImages() {
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST, 1000);
        long t = System.nanoTime();
        double acc = TrainFashionClassifier.accuracy(oracle, test, 250);
        LOG.info(String.format(Locale.ROOT, "fmnist-oracle: accuracy %.4f on the first %d test images in %d ms", acc,
                test.size(), (System.nanoTime() - t) / 1_000_000));
        assertThat(acc).isGreaterThanOrEqualTo(0.90);
    }

    /**
     * Pairs whose "counterfactual" is a real test image of another class, with that class as the target: the oracle
     * should agree about as often as it is accurate, and its target probability should rise from near 0 to near 1.
     */
    @Test
    void oracleAgreementOnRealImagesOfTheTargetClass() {
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST, 400);
        int n = 200;
        int[] targets = test.labels(n, 2 * n);
        int[] sources = test.labels(0, n);
        boolean[] differ = new boolean[n];
        for (int i = 0; i < n; i++) differ[i] = sources[i] != targets[i];
        OracleAgreement a = new OracleAgreement(oracle).batchSize(64);
        a.add(test.images(0, n), test.images(n, 2 * n), targets, differ);
        OracleAgreement.Result r = a.result();
        LOG.info("fmnist-oracle on real images of the target class: agreement {}, target probability {} -> {}",
                r.agreement(), r.targetProbabilityBefore(), r.targetProbabilityAfter());
        assertThat(r.count()).isGreaterThan(150);
        assertThat(r.agreement().value()).isGreaterThan(0.85);
        assertThat(r.targetProbabilityBefore().value()).isLessThan(0.1);
        assertThat(r.targetProbabilityAfter().value()).isGreaterThan(0.75); // label smoothing 0.1 keeps it below ~0.9
    }

    @Test
    void modelCardNamesTheShippedFilesHash() throws Exception {
        String card;
        try (InputStream in = FashionOracleTest.class.getResourceAsStream("/models/fmnist-oracle/MODEL_CARD.md")) {
            assertThat(in).as("MODEL_CARD.md").isNotNull();
            card = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("SHA-256 \\| `([0-9a-f]{64})`").matcher(card);
        assertThat(m.find()).as("SHA-256 line in MODEL_CARD.md").isTrue();
        assertThat(m.group(1)).isEqualTo(EmbeddedDefault.oracleChecksum());
        try (InputStream in = FashionOracleTest.class.getResourceAsStream(EmbeddedDefault.ORACLE_RESOURCE)) {
            assertThat(in.readAllBytes().length).isLessThan(5 * 1024 * 1024);
        }
    }

    private static byte[] bytes(INDArray a) {
        int[] v = a.castTo(DataType.INT32).toIntVector();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }
}
