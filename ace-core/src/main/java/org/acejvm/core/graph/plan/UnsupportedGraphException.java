package org.acejvm.core.graph.plan;

/** A graph the plan engine cannot run (an op without an input gradient, several outputs on the gradient path...). */
public final class UnsupportedGraphException extends RuntimeException {
    UnsupportedGraphException(String message) { super(message); }
}
