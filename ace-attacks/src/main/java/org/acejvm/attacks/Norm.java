package org.acejvm.attacks;

/** The norm of the ball around the original image that an attack is projected onto. */
public enum Norm {
    /** Every pixel within epsilon of the original. */
    LINF,
    /** The whole image difference within epsilon in Euclidean norm (per image). */
    L2
}
