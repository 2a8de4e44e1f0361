package org.acejvm.attacks;

import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.graph.ImageMap;

/**
 * An attack on a differentiable classifier seen through an optional image map (in ACE, the diffusion filter):
 * it searches an image x' near x that {@code classifier(map(x'))} assigns to the target class.
 *
 * <p>Use: {@code AttackSession s = attack.prepare(classifier, map); s.run(images, targets, ids, noise, listener)}.
 * {@link #prepare} builds the objective graph once; the session runs any number of batches on it.
 */
public interface Attack {

    /** A short name ("PGD", "GD", "C&amp;W", "FGSM", "Adam", ...). */
    String name();

    /** The shared iterative settings. */
    AttackSettings settings();

    /** The same attack with other settings. */
    Attack withSettings(AttackSettings settings);

    /** Whether only targeted attacks are supported (C&amp;W). */
    boolean targetedOnly();

    /**
     * Builds the objective graph for this classifier and map. The session is not thread-safe (SameDiff gradient
     * sessions are not): use one per thread.
     */
    AttackSession prepare(DifferentiableClassifier classifier, ImageMap map);

    /** {@link #prepare(DifferentiableClassifier, ImageMap)} with the identity map (a plain adversarial attack). */
    default AttackSession prepare(DifferentiableClassifier classifier) { return prepare(classifier, ImageMap.identity()); }
}
