package org.acejvm.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hands out caller-supplied noise in call order (for matching a reference implementation draw for draw). */
final class SuppliedNoiseSource implements NoiseSource {
    private final List<INDArray> draws;
    private int next;

    SuppliedNoiseSource(List<INDArray> draws) {
        Checks.notNull(draws, "draws");
        this.draws = new ArrayList<>(draws);
    }

    @Override
    public synchronized INDArray gaussian(long[] sampleIds, long stream, long... sampleShape) {
        if (next >= draws.size()) {
            throw new InvalidInputException("supplied noise exhausted: " + draws.size() + " draws were given, draw "
                    + (next + 1) + " was asked for");
        }
        INDArray d = draws.get(next);
        long[] expected = new long[sampleShape.length + 1];
        expected[0] = sampleIds.length;
        System.arraycopy(sampleShape, 0, expected, 1, sampleShape.length);
        if (!Arrays.equals(d.shape(), expected)) {
            throw new InvalidInputException.Shape("supplied noise draw " + (next + 1) + ": expected shape "
                    + Arrays.toString(expected) + ", got " + Arrays.toString(d.shape()));
        }
        next++;
        return d.castTo(DataType.FLOAT);
    }

    /** How many supplied draws have been used. */
    synchronized int used() { return next; }
}
