package org.acejvm.attacks;

import java.util.Arrays;
import org.acejvm.core.Checks;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.graph.GraphFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A generator's latent code as the search variable: {@code x' = decoder(z)}, so the attack moves along the
 * generator's image manifold rather than in pixels (Counterfactual Attacks, AIP, xGEMs). The decoder is added to the
 * objective graph like any {@link GraphFunction}, so one backward pass gives the gradient with respect to z.
 * Codes are optionally clamped element-wise after each step (a bounded prior, a truncation).
 */
public final class LatentSpace implements SearchSpace {
    static final String DECODER_CALL = "attack/decoder";

    private final GraphFunction decoder;
    private final long[] codeShape;
    private final StartCodes starts;
    private final double low;
    private final double high;
    private final EagerFunction eager;
    private volatile ImageSpec checkedSpec;

    LatentSpace(GraphFunction decoder, long[] codeShape, StartCodes starts, double low, double high) {
        Checks.notNull(decoder, "decoder");
        Checks.notNull(codeShape, "codeShape");
        Checks.notNull(starts, "starts");
        if (codeShape.length == 0 || Arrays.stream(codeShape).anyMatch(d -> d < 1)) {
            throw new InvalidInputException.Shape("codeShape: expected positive sizes, got " + Arrays.toString(codeShape));
        }
        if (!(low < high)) throw new InvalidInputException.Range("code clamp: expected low < high, got " + low + ", " + high);
        this.decoder = decoder;
        this.codeShape = codeShape.clone();
        this.starts = starts;
        this.low = low;
        this.high = high;
        this.eager = new EagerFunction(decoder, DECODER_CALL);
    }

    /** The same space with codes clamped to [low, high] after every step. */
    public LatentSpace clamped(double low, double high) {
        return new LatentSpace(decoder, codeShape, starts, low, high);
    }

    public GraphFunction decoder() { return decoder; }

    public long[] codeShape() { return codeShape.clone(); }

    /**
     * The code's shape, after checking once per image spec that the decoder turns a code into an image of that spec
     * (one decoding of a zero code): a decoder made for another classifier fails here with a one-line error instead
     * of deep inside the graph.
     */
    @Override
    public long[] sampleShape(ImageSpec image) {
        if (!image.equals(checkedSpec)) {
            long[] probe = new long[codeShape.length + 1];
            probe[0] = 1;
            System.arraycopy(codeShape, 0, probe, 1, codeShape.length);
            long[] decoded;
            try {
                decoded = toImage(org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, probe)).shape();
            } catch (RuntimeException e) {
                throw new InvalidInputException.Shape("decoder: cannot decode a code of shape " + Arrays.toString(codeShape)
                        + " (" + e.getMessage() + ")");
            }
            long[] expected = {1, image.channels(), image.height(), image.width()};
            if (!Arrays.equals(decoded, expected)) {
                throw new InvalidInputException.Shape("decoder: decodes a code of shape " + Arrays.toString(codeShape)
                        + " to " + Arrays.toString(decoded) + ", not an image the classifier accepts " + Arrays.toString(expected));
            }
            checkedSpec = image;
        }
        return codeShape.clone();
    }

    @Override
    public INDArray start(INDArray images) {
        long[] ids = new long[(int) images.size(0)];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        return start(images, ids);
    }

    @Override
    public INDArray start(INDArray images, long[] sampleIds) {
        INDArray codes = starts.codes(images, sampleIds);
        long[] expected = new long[codeShape.length + 1];
        expected[0] = images.size(0);
        System.arraycopy(codeShape, 0, expected, 1, codeShape.length);
        if (!Arrays.equals(codes.shape(), expected)) {
            throw new InvalidInputException.Shape("start codes: expected shape " + Arrays.toString(expected) + ", got "
                    + Arrays.toString(codes.shape()));
        }
        return clamp(codes);
    }

    @Override public SDVariable toImage(SameDiff sd, SDVariable search) { return decoder.call1(sd, DECODER_CALL, search); }

    @Override public INDArray toImage(INDArray search) { return eager.apply(search); }

    @Override public INDArray constrain(INDArray search, INDArray images, AttackSettings settings) { return clamp(search); }

    private INDArray clamp(INDArray codes) {
        float[] z = Floats.of(codes);
        for (int i = 0; i < z.length; i++) z[i] = (float) Math.max(low, Math.min(high, z[i]));
        return Floats.create(z, codes.shape());
    }

    @Override public boolean usesEpsilon() { return false; }

    @Override
    public String toString() {
        return "SearchSpace.latent(" + Arrays.toString(codeShape) + ", codes in [" + low + ", " + high + "])";
    }
}
