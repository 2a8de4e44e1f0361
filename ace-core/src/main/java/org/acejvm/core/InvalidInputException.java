package org.acejvm.core;

/**
 * A caller passed a value the library cannot use. The message always names the argument,
 * what was expected and what came. Subclasses tell the rule apart for callers that want to react.
 */
public class InvalidInputException extends AceException {
    public InvalidInputException(String message) { super(message); }

    /** Wrong rank or wrong dimension sizes. */
    public static final class Shape extends InvalidInputException {
        public Shape(String message) { super(message); }
    }

    /** Wrong data type (for example float64 where float32 is required). */
    public static final class DataType extends InvalidInputException {
        public DataType(String message) { super(message); }
    }

    /** Values outside the documented range (images must lie in [0, 1]). */
    public static final class Range extends InvalidInputException {
        public Range(String message) { super(message); }
    }

    /** NaN or infinite values. */
    public static final class NonFinite extends InvalidInputException {
        public NonFinite(String message) { super(message); }
    }

    /** A class index outside [0, numClasses), or a target equal to the source where that is not allowed. */
    public static final class ClassIndex extends InvalidInputException {
        public ClassIndex(String message) { super(message); }
    }

    /** Two arguments that must agree (batch sizes, counts) do not. */
    public static final class Mismatch extends InvalidInputException {
        public Mismatch(String message) { super(message); }
    }

    /**
     * An input larger than a configurable limit (image pixels, bytes of an array or of a folded ONNX constant),
     * refused before it is allocated. The message names the limit and how to raise it.
     */
    public static final class TooLarge extends InvalidInputException {
        private final long limit;

        public TooLarge(String message, long limit) {
            super(message);
            this.limit = limit;
        }

        /** The limit that was exceeded, in the unit the message names (pixels or bytes). */
        public long limit() { return limit; }
    }
}
