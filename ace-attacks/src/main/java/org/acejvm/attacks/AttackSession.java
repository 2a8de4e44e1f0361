package org.acejvm.attacks;

import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.graph.ImageMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An attack bound to one classifier and image map, with its objective graph built. Not thread-safe. */
public interface AttackSession {

    Attack attack();

    DifferentiableClassifier classifier();

    ImageMap map();

    /**
     * Attacks a batch.
     *
     * @param images    NCHW float32 [0, 1] originals of the classifier's input shape
     * @param targets   what each image should become
     * @param sampleIds stable per-image identifiers that key the image map's noise (null: 0..N-1)
     * @param noise     where the image map's noise comes from (unused with the identity map; may then be null)
     * @param listener  per-iteration events (null: none)
     */
    AttackResult run(INDArray images, Targets targets, long[] sampleIds, NoiseSource noise, AttackListener listener);

    /** {@link #run} with ids 0..N-1, no noise and no listener (identity map only). */
    default AttackResult run(INDArray images, Targets targets) { return run(images, targets, null, null, null); }
}
