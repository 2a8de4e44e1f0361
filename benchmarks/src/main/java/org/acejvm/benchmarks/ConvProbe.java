package org.acejvm.benchmarks;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.factory.Nd4j;

public class ConvProbe {
    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]), c = 64, hw = Integer.parseInt(a[1]);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, c, hw, hw);
        for (WeightsFormat wf : new WeightsFormat[] {WeightsFormat.YXIO, WeightsFormat.OIYX, WeightsFormat.OYXI}) {
            INDArray w = wf == WeightsFormat.YXIO ? Nd4j.randn(DataType.FLOAT, 3, 3, c, c) : Nd4j.randn(DataType.FLOAT, c, c, 3, 3);
            INDArray b = Nd4j.randn(DataType.FLOAT, c);
            for (boolean nchw : new boolean[] {true, false}) {
                INDArray in = nchw ? x : x.permute(0, 2, 3, 1).dup('c');
                Conv2DConfig cfg = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1).paddingMode(org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode.VALID)
                        .dataFormat(nchw ? "NCHW" : "NHWC").weightsFormat(wf).build();
                INDArray out = null;
                try {
                    for (int i = 0; i < 3; i++) out = Nd4j.exec(new Conv2D(new INDArray[] {in, w, b}, null, cfg))[0];
                    long t = System.nanoTime();
                    int reps = 20;
                    for (int i = 0; i < reps; i++) out = Nd4j.exec(new Conv2D(new INDArray[] {in, w, b}, null, cfg))[0];
                    double ms = (System.nanoTime() - t) / 1e6 / reps;
                    System.out.printf("%s %s n=%d hw=%d: %.2f ms %.1f GFLOP/s%n", wf, nchw ? "NCHW" : "NHWC", n, hw, ms, 2.0 * n * c * c * 9 * hw * hw / ms / 1e6);
                } catch (Exception e) { System.out.println(wf + " " + nchw + " failed " + e.getMessage()); }
            }
        }
    }
}
