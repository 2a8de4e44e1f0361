package org.acejvm.core;

/** Base of every exception the library throws on purpose. */
public class AceException extends RuntimeException {
    public AceException(String message) { super(message); }
    public AceException(String message, Throwable cause) { super(message, cause); }
}
