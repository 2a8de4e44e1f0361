package org.acejvm.core.onnx;

/**
 * One dimension of a tensor as known at import time: {@code factor} times the free batch size N when
 * {@code batch} is set, else the plain number {@code factor}. The translator fixes every dimension at import
 * except the batch, so a shape such as {@code [N*4, 32, 256]} (the legacy QKV attention reshape) is exact.
 */
record Dim(long factor, boolean batch) {
    static final Dim N = new Dim(1, true);

    static Dim of(long value) {
        return new Dim(value, false);
    }

    boolean known() {
        return !batch;
    }

    /** The plain number; fails for a batch-dependent dimension. */
    long value() {
        if (batch) throw new ShapeException("dimension " + this + " depends on the batch size");
        return factor;
    }

    Dim times(Dim o) {
        if (batch && o.batch) throw new ShapeException("product " + this + " * " + o + " is quadratic in the batch size");
        long f;
        try {
            f = Math.multiplyExact(factor, o.factor);
        } catch (ArithmeticException e) {
            throw new ShapeException("dimension " + this + " * " + o + " overflows a 64-bit size");
        }
        return new Dim(f, batch || o.batch);
    }

    Dim dividedBy(Dim o) {
        if (o.batch) {
            if (batch && o.factor != 0 && factor % o.factor == 0) return Dim.of(factor / o.factor);
            throw new ShapeException("cannot divide " + this + " by " + o);
        }
        if (o.factor == 0) throw new ShapeException("division of " + this + " by zero");
        if (!batch) return Dim.of(Math.floorDiv(factor, o.factor));
        if (factor % o.factor == 0) return new Dim(factor / o.factor, true);
        throw new ShapeException(this + " is not divisible by " + o);
    }

    Dim plus(Dim o) {
        if (batch == o.batch) return new Dim(factor + o.factor, batch);
        throw new ShapeException("sum " + this + " + " + o + " mixes batch-dependent and fixed sizes");
    }

    Dim minus(Dim o) {
        return plus(new Dim(-o.factor, o.batch));
    }

    @Override
    public String toString() {
        if (!batch) return Long.toString(factor);
        return factor == 1 ? "N" : factor + "N";
    }
}
