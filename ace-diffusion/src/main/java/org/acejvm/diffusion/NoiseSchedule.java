package org.acejvm.diffusion;

import java.util.Arrays;
import org.acejvm.core.InvalidInputException;

/**
 * A DDPM noise schedule: the betas and every quantity the forward process and the posterior need, precomputed once
 * in double precision (as the reference implementation does in float64). Plain Java, no SameDiff: graph code reads
 * the values it needs and casts them to float32 where they enter a graph.
 *
 * <p>Index {@code i} is a step of this schedule. For a respaced schedule ({@link SpacedSchedule}) it is the respaced
 * index, and the betas are the respaced betas.
 */
public final class NoiseSchedule {
    private final double[] betas;
    private final double[] alphas;
    private final double[] alphasCumprod;
    private final double[] alphasCumprodPrev;
    private final double[] sqrtAlphasCumprod;
    private final double[] sqrtOneMinusAlphasCumprod;
    private final double[] logOneMinusAlphasCumprod;
    private final double[] sqrtRecipAlphasCumprod;
    private final double[] sqrtRecipm1AlphasCumprod;
    private final double[] posteriorVariance;
    private final double[] posteriorLogVarianceClipped;
    private final double[] posteriorMeanCoef1;
    private final double[] posteriorMeanCoef2;

    /** A schedule from explicit betas, each in (0, 1]. */
    public static NoiseSchedule fromBetas(double[] betas) {
        return new NoiseSchedule(betas);
    }

    /**
     * The linear schedule of the reference implementation (guided-diffusion): betas from {@code s * 1e-4} to
     * {@code s * 0.02} in T evenly spaced steps, with {@code s = 1000 / T} so that every T spans the same noise range.
     */
    public static NoiseSchedule linear(int numTimesteps) {
        checkSteps(numTimesteps);
        double scale = 1000.0 / numTimesteps;
        return new NoiseSchedule(linspace(scale * 0.0001, scale * 0.02, numTimesteps));
    }

    /**
     * The cosine schedule of Nichol and Dhariwal (improved DDPM): {@code abar(t) = cos^2(((t/T) + 0.008) / 1.008 * pi/2)},
     * {@code beta_i = min(1 - abar((i+1)/T) / abar(i/T), 0.999)}.
     */
    public static NoiseSchedule cosine(int numTimesteps) {
        checkSteps(numTimesteps);
        double[] b = new double[numTimesteps];
        for (int i = 0; i < numTimesteps; i++) {
            double t1 = (double) i / numTimesteps;
            double t2 = (double) (i + 1) / numTimesteps;
            b[i] = Math.min(1.0 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
        }
        return new NoiseSchedule(b);
    }

    /** A named schedule: "linear" or "cosine". */
    public static NoiseSchedule named(String name, int numTimesteps) {
        if (name == null) throw new InvalidInputException("schedule name must not be null");
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "linear" -> linear(numTimesteps);
            case "cosine" -> cosine(numTimesteps);
            default -> throw new InvalidInputException("unknown noise schedule '" + name + "', expected linear or cosine");
        };
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    private static void checkSteps(int numTimesteps) {
        if (numTimesteps < 2) {
            throw new InvalidInputException.Range("number of diffusion timesteps: expected at least 2, got " + numTimesteps);
        }
    }

    /** numpy.linspace(start, stop, n) in double precision, bit for bit (start + i*step, last value exactly stop). */
    static double[] linspace(double start, double stop, int n) {
        double[] y = new double[n];
        if (n == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (n - 1);
        for (int i = 0; i < n; i++) y[i] = i * step + start;
        y[n - 1] = stop;
        return y;
    }

    private NoiseSchedule(double[] betasIn) {
        if (betasIn == null || betasIn.length < 1) {
            throw new InvalidInputException("a noise schedule needs at least one beta");
        }
        for (int i = 0; i < betasIn.length; i++) {
            double b = betasIn[i];
            if (!(b > 0 && b <= 1)) {
                throw new InvalidInputException.Range("beta[" + i + "]: expected a value in (0, 1], got " + b);
            }
        }
        int n = betasIn.length;
        betas = betasIn.clone();
        alphas = new double[n];
        alphasCumprod = new double[n];
        alphasCumprodPrev = new double[n];
        sqrtAlphasCumprod = new double[n];
        sqrtOneMinusAlphasCumprod = new double[n];
        logOneMinusAlphasCumprod = new double[n];
        sqrtRecipAlphasCumprod = new double[n];
        sqrtRecipm1AlphasCumprod = new double[n];
        posteriorVariance = new double[n];
        posteriorLogVarianceClipped = new double[n];
        posteriorMeanCoef1 = new double[n];
        posteriorMeanCoef2 = new double[n];
        double prod = 1.0;
        for (int i = 0; i < n; i++) {
            alphas[i] = 1.0 - betas[i];
            alphasCumprodPrev[i] = prod;
            prod *= alphas[i];
            alphasCumprod[i] = prod;
        }
        for (int i = 0; i < n; i++) {
            double ac = alphasCumprod[i];
            double acPrev = alphasCumprodPrev[i];
            sqrtAlphasCumprod[i] = Math.sqrt(ac);
            sqrtOneMinusAlphasCumprod[i] = Math.sqrt(1.0 - ac);
            logOneMinusAlphasCumprod[i] = Math.log(1.0 - ac);
            sqrtRecipAlphasCumprod[i] = Math.sqrt(1.0 / ac);
            sqrtRecipm1AlphasCumprod[i] = Math.sqrt(1.0 / ac - 1);
            posteriorVariance[i] = betas[i] * (1.0 - acPrev) / (1.0 - ac);
            posteriorMeanCoef1[i] = betas[i] * Math.sqrt(acPrev) / (1.0 - ac);
            posteriorMeanCoef2[i] = (1.0 - acPrev) * Math.sqrt(alphas[i]) / (1.0 - ac);
        }
        // log of the posterior variance, clipped: the variance is 0 at step 0, so step 0 takes the value of step 1
        for (int i = 0; i < n; i++) {
            double v = i == 0 ? (n > 1 ? posteriorVariance[1] : posteriorVariance[0]) : posteriorVariance[i];
            posteriorLogVarianceClipped[i] = Math.log(v);
        }
    }

    public int numTimesteps() { return betas.length; }

    public double beta(int i) { return betas[check(i)]; }
    public double alpha(int i) { return alphas[check(i)]; }
    public double alphaCumprod(int i) { return alphasCumprod[check(i)]; }
    public double alphaCumprodPrev(int i) { return alphasCumprodPrev[check(i)]; }
    public double sqrtAlphaCumprod(int i) { return sqrtAlphasCumprod[check(i)]; }
    public double sqrtOneMinusAlphaCumprod(int i) { return sqrtOneMinusAlphasCumprod[check(i)]; }
    public double logOneMinusAlphaCumprod(int i) { return logOneMinusAlphasCumprod[check(i)]; }
    public double sqrtRecipAlphaCumprod(int i) { return sqrtRecipAlphasCumprod[check(i)]; }
    public double sqrtRecipm1AlphaCumprod(int i) { return sqrtRecipm1AlphasCumprod[check(i)]; }
    public double posteriorVariance(int i) { return posteriorVariance[check(i)]; }
    public double posteriorLogVarianceClipped(int i) { return posteriorLogVarianceClipped[check(i)]; }
    public double posteriorMeanCoef1(int i) { return posteriorMeanCoef1[check(i)]; }
    public double posteriorMeanCoef2(int i) { return posteriorMeanCoef2[check(i)]; }

    /** The "fixed large" variance of DDPM: beta_i, except at step 0 where the posterior variance of step 1 is used. */
    public double fixedLargeVariance(int i) {
        check(i);
        return i == 0 && betas.length > 1 ? posteriorVariance[1] : betas[i];
    }

    /** Copies of the full arrays. */
    public double[] betas() { return betas.clone(); }
    public double[] alphasCumprod() { return alphasCumprod.clone(); }
    public double[] alphasCumprodPrev() { return alphasCumprodPrev.clone(); }
    public double[] posteriorVariance() { return posteriorVariance.clone(); }
    public double[] posteriorLogVarianceClipped() { return posteriorLogVarianceClipped.clone(); }
    public double[] posteriorMeanCoef1() { return posteriorMeanCoef1.clone(); }
    public double[] posteriorMeanCoef2() { return posteriorMeanCoef2.clone(); }

    private int check(int i) {
        if (i < 0 || i >= betas.length) {
            throw new InvalidInputException.Range("schedule step: expected an index in [0, " + betas.length + "), got " + i);
        }
        return i;
    }

    @Override public boolean equals(Object o) {
        return o instanceof NoiseSchedule s && Arrays.equals(betas, s.betas);
    }

    @Override public int hashCode() { return Arrays.hashCode(betas); }

    @Override public String toString() {
        return "NoiseSchedule(T=" + betas.length + ", beta[0]=" + betas[0] + ", beta[T-1]=" + betas[betas.length - 1] + ")";
    }
}
