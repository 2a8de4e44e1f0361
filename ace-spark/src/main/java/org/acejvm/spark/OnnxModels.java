package org.acejvm.spark;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.util.Arrays;
import org.acejvm.core.Checks;
import org.acejvm.core.Classifier;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.SameDiffClassifier;
import org.acejvm.core.onnx.OnnxModel;
import org.acejvm.diffusion.DiffusionModel;

/**
 * A user's ONNX models as bytes (immutable; each setter returns a copy): the classifier with its input
 * normalisation, an optional diffusion UNet with its schedule (T and respacing, as {@code ace explain} takes them),
 * and an optional oracle classifier.
 */
public final class OnnxModels implements ModelBundle {
    private static final long serialVersionUID = 1L;

    private final byte[] classifier;
    private final byte[] diffusion;
    private final byte[] oracle;
    private final float[] mean;
    private final float[] std;
    private final int timesteps;
    private final String respacing;

    private OnnxModels(byte[] classifier, byte[] diffusion, byte[] oracle, float[] mean, float[] std, int timesteps,
                       String respacing) {
        this.classifier = classifier;
        this.diffusion = diffusion;
        this.oracle = oracle;
        this.mean = mean;
        this.std = std;
        this.timesteps = timesteps;
        this.respacing = respacing;
    }

    static OnnxModels of(byte[] classifier, byte[] diffusion) {
        Checks.notNull(classifier, "classifier");
        return new OnnxModels(classifier.clone(), diffusion == null ? null : diffusion.clone(), null, null, null, 500, "50");
    }

    /** The classifier's per-channel input normalisation (on [0, 1] values; null: none). */
    public OnnxModels normalisation(float[] newMean, float[] newStd) {
        return new OnnxModels(classifier, diffusion, oracle, newMean == null ? null : newMean.clone(),
                newStd == null ? null : newStd.clone(), timesteps, respacing);
    }

    /** The diffusion model's linear schedule of {@code t} steps, respaced as {@code spacing} (default 500, "50"). */
    public OnnxModels schedule(int t, String spacing) {
        Checks.positive(t, "timesteps");
        Checks.notNull(spacing, "respacing");
        return new OnnxModels(classifier, diffusion, oracle, mean, std, t, spacing);
    }

    /** An oracle classifier (ONNX bytes, input as the classifier's, normalising inside its graph). */
    public OnnxModels oracle(byte[] onnx) {
        Checks.notNull(onnx, "oracle");
        return new OnnxModels(classifier, diffusion, onnx.clone(), mean, std, timesteps, respacing);
    }

    @Override public String key() {
        Hasher h = Hashing.sha256().newHasher().putBytes(classifier).putInt(-1);
        if (diffusion != null) h.putBytes(diffusion);
        h.putInt(-2);
        if (oracle != null) h.putBytes(oracle);
        h.putUnencodedChars(Arrays.toString(mean) + Arrays.toString(std) + timesteps + "/" + respacing);
        return "onnx:" + h.hash();
    }

    @Override public DifferentiableClassifier classifier() {
        return SameDiffClassifier.fromOnnx(OnnxModel.load(classifier, "classifier").withNamespace("classifier"), mean, std);
    }

    @Override public DiffusionModel diffusion(ImageSpec spec) {
        if (diffusion == null) return null;
        return DiffusionModel.fromOnnx(OnnxModel.load(diffusion, "unet").withNamespace("unet"), spec, timesteps, respacing);
    }

    @Override public Classifier oracle() {
        if (oracle == null) return null;
        SameDiffClassifier c = SameDiffClassifier.fromOnnx(OnnxModel.load(oracle, "oracle").withNamespace("oracle"), null, null);
        if (c.singleLogit()) throw new InvalidInputException("the oracle must output one logit per class, got a single logit");
        return c;
    }

    @Override public String toString() {
        return "ONNX models (classifier " + classifier.length + " bytes" + (diffusion == null ? "" : ", diffusion "
                + diffusion.length + " bytes, T=" + timesteps + ", respacing " + respacing) + (oracle == null ? "" : ", oracle") + ")";
    }
}
