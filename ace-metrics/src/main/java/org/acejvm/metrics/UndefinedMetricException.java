package org.acejvm.metrics;

import org.acejvm.core.AceException;

/** Thrown when the number of an undefined {@link MetricValue} is asked for. */
public class UndefinedMetricException extends AceException {
    public UndefinedMetricException(String reason) { super("metric is undefined: " + reason); }
}
