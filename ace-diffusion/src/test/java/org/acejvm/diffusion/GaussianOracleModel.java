package org.acejvm.diffusion;

import java.util.List;
import org.acejvm.core.graph.GraphFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact eps predictor for data whose pixels are i.i.d. N(mu, sigma^2) (in [-1, 1] space): a real denoiser with a
 * closed form, {@code eps(x_t, t) = (x_t - sqrt(abar_t) mu) sqrt(1 - abar_t) / (abar_t sigma^2 + 1 - abar_t)}.
 * Sampling with it must reproduce the data distribution, and denoising from a lower t must reconstruct better.
 */
final class GaussianOracleModel implements GraphFunction {
    private final float[] scale;
    private final float[] offset;

    GaussianOracleModel(NoiseSchedule base, double mu, double sigma) {
        int t = base.numTimesteps();
        scale = new float[t];
        offset = new float[t];
        for (int i = 0; i < t; i++) {
            double ab = base.alphaCumprod(i);
            double a = Math.sqrt(1 - ab) / (ab * sigma * sigma + 1 - ab);
            scale[i] = (float) a;
            offset[i] = (float) (Math.sqrt(ab) * mu * a);
        }
    }

    @Override
    public SDVariable[] call(SameDiff sd, String callName, SDVariable... inputs) {
        SDVariable x = inputs[0];
        SDVariable idx = sd.castTo(inputs[1], DataType.INT32);
        SDVariable a = tableVar(sd, "oracle_scale", scale);
        SDVariable b = tableVar(sd, "oracle_offset", offset);
        SDVariable a4 = sd.reshape(sd.gather(a, idx, 0), -1, 1, 1, 1);
        SDVariable b4 = sd.reshape(sd.gather(b, idx, 0), -1, 1, 1, 1);
        return new SDVariable[] {x.mul(a4).sub(callName + "_eps", b4)};
    }

    private static SDVariable tableVar(SameDiff sd, String name, float[] values) {
        return sd.hasVariable(name) ? sd.getVariable(name) : sd.constant(name, Nd4j.createFromArray(values));
    }

    @Override public List<String> inputNames() { return List.of("x", "t"); }
    @Override public List<String> outputNames() { return List.of("eps"); }
}
