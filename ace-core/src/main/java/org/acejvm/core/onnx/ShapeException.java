package org.acejvm.core.onnx;

/** A shape computation the translator cannot do at import time; wrapped with the node's name by the translator. */
final class ShapeException extends RuntimeException {
    ShapeException(String message) {
        super(message);
    }
}
