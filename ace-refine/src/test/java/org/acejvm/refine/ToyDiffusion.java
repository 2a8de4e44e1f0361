package org.acejvm.refine;

import java.util.List;
import org.acejvm.attacks.TinyNets;
import org.acejvm.core.graph.GraphFunction;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.diffusion.NoiseSchedule;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** A toy "UNet" on 1x8x8 images: eps = 0.5 x + 0.1 sin(0.01 t), v = 0.2 x (learned range), no weights. */
public final class ToyDiffusion {
    private ToyDiffusion() {}

    public static GraphFunction unet() {
        return new GraphFunction() {
            @Override
            public SDVariable[] call(SameDiff sd, String callName, SDVariable... in) {
                SDVariable x = in[0];
                SDVariable t = sd.expandDims(sd.expandDims(sd.expandDims(in[1], 1), 2), 3);
                SDVariable eps = x.mul(0.5).add(sd.math.sin(t.mul(0.01)).mul(0.1));
                SDVariable v = x.mul(0.2);
                return new SDVariable[] {sd.concat(callName + "_out", 1, eps, v)};
            }
            @Override public List<String> inputNames() { return List.of("x", "t"); }
            @Override public List<String> outputNames() { return List.of("out"); }
        };
    }

    /** T = 100, respaced to 20 steps; with fraction 0.25 the filter has S = 5 steps. */
    public static DiffusionModel model() {
        return DiffusionModel.builder(unet(), TinyNets.SPEC).schedule(NoiseSchedule.linear(100), "20").build();
    }

    public static final double FRACTION = 0.25;
}
