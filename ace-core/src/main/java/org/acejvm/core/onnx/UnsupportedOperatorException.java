package org.acejvm.core.onnx;

import org.acejvm.core.ModelFormatException;

/** An ONNX model uses an operator, or an operator form, that the translator does not support. */
public final class UnsupportedOperatorException extends ModelFormatException {
    private final String opType;
    private final String nodeName;
    private final long opset;

    public UnsupportedOperatorException(String opType, String nodeName, long opset, String detail) {
        super("unsupported ONNX operator " + opType + " (node '" + nodeName + "', opset " + opset + ")"
                + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.opType = opType;
        this.nodeName = nodeName;
        this.opset = opset;
    }

    public String opType() { return opType; }

    public String nodeName() { return nodeName; }

    public long opset() { return opset; }
}
