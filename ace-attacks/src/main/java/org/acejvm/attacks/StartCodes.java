package org.acejvm.attacks;

import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.graph.GraphFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a latent-space attack's start codes come from: an encoder run on the originals, or codes found beforehand
 * (for example by inverting the generator) and looked up by sample id, so that a sample's start does not depend on
 * how the data were split into batches.
 */
@FunctionalInterface
public interface StartCodes {

    /** The start codes [N, codeShape...] of the originals {@code images} with ids {@code sampleIds}. */
    INDArray codes(INDArray images, long[] sampleIds);

    /** {@code encoder(images)}: a graph function from [0, 1] NCHW images to codes. */
    static StartCodes encoder(GraphFunction encoder) {
        Checks.notNull(encoder, "encoder");
        EagerFunction eager = new EagerFunction(encoder, "encoder");
        return (images, sampleIds) -> eager.apply(images);
    }

    /** Row {@code id} of {@code codes} [M, codeShape...] for the sample with id {@code id}. */
    static StartCodes given(INDArray codes) {
        Checks.notNull(codes, "codes");
        INDArray table = codes.dup();
        return (images, sampleIds) -> {
            int[] rows = new int[sampleIds.length];
            for (int i = 0; i < rows.length; i++) {
                if (sampleIds[i] < 0 || sampleIds[i] >= table.size(0)) {
                    throw new InvalidInputException.Mismatch("no start code for sample id " + sampleIds[i] + ": "
                            + table.size(0) + " codes given");
                }
                rows[i] = (int) sampleIds[i];
            }
            return Floats.rows(table, rows);
        };
    }
}
