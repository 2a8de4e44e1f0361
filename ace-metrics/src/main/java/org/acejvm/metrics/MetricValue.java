package org.acejvm.metrics;

import java.util.Optional;

/**
 * The value of one metric: either a finite number computed from {@code count} samples (or pairs, or images), or
 * explicitly undefined with a reason (no successful counterfactual, fewer than two samples for a covariance, ...).
 * Metrics never return NaN in place of "undefined".
 */
public sealed interface MetricValue permits MetricValue.Defined, MetricValue.Undefined {

    /** A defined value; {@code value} must be finite. */
    static MetricValue of(double value, long count) {
        return new Defined(value, count);
    }

    /** An undefined value, with the reason a reader of a results table should see. */
    static MetricValue undefined(String reason, long count) {
        return new Undefined(reason, count);
    }

    boolean isDefined();

    /** The number; throws {@link UndefinedMetricException} with the reason if undefined. */
    double value();

    /** How many samples (pairs, images, splits) the value was computed from. */
    long count();

    /** The reason, if undefined. */
    Optional<String> reason();

    default double orElse(double fallback) {
        return isDefined() ? value() : fallback;
    }

    /** A defined metric value. */
    record Defined(double value, long count) implements MetricValue {
        public Defined {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("a defined metric value must be finite, got " + value
                        + " (report it as undefined with a reason instead)");
            }
            if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        @Override public boolean isDefined() { return true; }
        @Override public Optional<String> reason() { return Optional.empty(); }
        @Override public String toString() { return value + " (n=" + count + ")"; }
    }

    /** An undefined metric value and why ({@code message}). */
    record Undefined(String message, long count) implements MetricValue {
        public Undefined {
            if (message == null || message.isBlank()) throw new IllegalArgumentException("an undefined value needs a reason");
            if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        @Override public boolean isDefined() { return false; }
        @Override public double value() { throw new UndefinedMetricException(message); }
        @Override public Optional<String> reason() { return Optional.of(message); }
        @Override public String toString() { return "undefined: " + message + " (n=" + count + ")"; }
    }
}
