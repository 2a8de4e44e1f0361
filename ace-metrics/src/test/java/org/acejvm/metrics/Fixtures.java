package org.acejvm.metrics;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The .npy fixtures written by scripts/make_metric_fixtures.py. */
final class Fixtures {
    private Fixtures() {}

    static File file(String name) {
        URL url = Fixtures.class.getResource("fixtures/" + name + ".npy");
        if (url == null) throw new IllegalStateException("missing fixture " + name + " (run scripts/make_metric_fixtures.py)");
        try {
            return new File(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static INDArray load(String name) {
        return Nd4j.createFromNpyFile(file(name));
    }

    static double[] doubles(String name) {
        return load(name).castTo(DataType.DOUBLE).data().asDouble();
    }

    static int[] ints(String name) {
        double[] d = doubles(name);
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (int) Math.round(d[i]);
        return out;
    }

    static boolean[] booleans(String name) {
        double[] d = doubles(name);
        boolean[] out = new boolean[d.length];
        for (int i = 0; i < d.length; i++) out[i] = d[i] != 0;
        return out;
    }
}
