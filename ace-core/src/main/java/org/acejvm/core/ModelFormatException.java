package org.acejvm.core;

/** A model, weight or data file is missing, unreadable, corrupt or uses something the library does not support. */
public class ModelFormatException extends AceException {
    public ModelFormatException(String message) { super(message); }
    public ModelFormatException(String message, Throwable cause) { super(message, cause); }
}
