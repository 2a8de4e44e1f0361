package org.acejvm.examples.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.examples.train.TrainFashionClassifier;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped classifier on the full Fashion-MNIST test set. Needs the Debian data set, which CI installs: when it is
 * absent this test fails with a message saying how to install it (it does not skip).
 */
class FashionCnnShippedTest {
    private static final Logger LOG = LoggerFactory.getLogger(FashionCnnShippedTest.class);

    @Test
    void shippedClassifierReachesNinetyPercentOnTheFullTestSet() {
        SameDiffClassifier c = FashionCnn.loadDefault();
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST); // throws naming `apt-get install ...` if absent
        assertThat(test.size()).isEqualTo(10_000);
        long t = System.nanoTime();
        double acc = TrainFashionClassifier.accuracy(c, test, 500);
        LOG.info("shipped fmnist-cnn: test accuracy {} on {} images in {} ms", acc, test.size(), (System.nanoTime() - t) / 1_000_000);
        assertThat(acc).isGreaterThanOrEqualTo(0.90);
    }

    @Test
    void modelCardNamesTheShippedFilesHash() throws Exception {
        byte[] weights;
        try (InputStream in = FashionCnn.class.getResourceAsStream(FashionCnn.DEFAULT_RESOURCE)) {
            assertThat(in).as(FashionCnn.DEFAULT_RESOURCE).isNotNull();
            weights = in.readAllBytes();
        }
        String card;
        try (InputStream in = FashionCnn.class.getResourceAsStream("/models/fmnist-cnn/MODEL_CARD.md")) {
            assertThat(in).as("MODEL_CARD.md").isNotNull();
            card = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("SHA-256 \\| `([0-9a-f]{64})`").matcher(card);
        assertThat(m.find()).as("SHA-256 line in MODEL_CARD.md").isTrue();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights));
        assertThat(m.group(1)).isEqualTo(sha);
        assertThat(weights.length).isLessThan(5 * 1024 * 1024);
        FashionCnn.Model model = FashionCnn.readDefault();
        assertThat(model.header().architecture()).isEqualTo(FashionCnn.ARCHITECTURE);
    }

}
