package org.acejvm.diffusion;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;

/**
 * A schedule respaced to a subset of the original timesteps, with the semantics of guided-diffusion's
 * {@code space_timesteps} and {@code SpacedDiffusion}:
 * <ul>
 *   <li>the kept original timesteps {@code t_0 < t_1 < ... < t_{K-1}} come from a spacing string ({@link #spaceTimesteps});</li>
 *   <li>the respaced betas are {@code 1 - abar[t_k] / abar[t_{k-1}]} with {@code abar[t_{-1}] = 1}, so the respaced
 *       cumulative products equal the original ones at the kept timesteps;</li>
 *   <li>the model is called with the ORIGINAL timestep {@code t_k} ({@link #modelTimestep(int)}), not with k.</li>
 * </ul>
 * No SameDiff here, like {@link NoiseSchedule}.
 */
public final class SpacedSchedule {
    private final NoiseSchedule base;
    private final int[] timestepMap;
    private final NoiseSchedule spaced;
    private final String spacing;

    private SpacedSchedule(NoiseSchedule base, int[] timestepMap, String spacing) {
        this.base = base;
        this.timestepMap = timestepMap;
        this.spacing = spacing;
        double[] betas = new double[timestepMap.length];
        double last = 1.0;
        for (int k = 0; k < timestepMap.length; k++) {
            double ac = base.alphaCumprod(timestepMap[k]);
            betas[k] = 1.0 - ac / last;
            last = ac;
        }
        this.spaced = NoiseSchedule.fromBetas(betas);
    }

    /**
     * Respaces {@code base} with a guided-diffusion spacing string: {@code "50"} (50 evenly spaced steps),
     * {@code "10,10,10"} (the T steps split into 3 equal sections with 10 steps each), {@code "ddim25"} (an integer
     * stride giving exactly 25 steps). Null or empty keeps every step.
     */
    public static SpacedSchedule of(NoiseSchedule base, String spacing) {
        Checks.notNull(base, "base schedule");
        String s = spacing == null ? "" : spacing.trim();
        int[] kept = s.isEmpty() ? allSteps(base.numTimesteps()) : spaceTimesteps(base.numTimesteps(), s);
        return new SpacedSchedule(base, kept, s.isEmpty() ? String.valueOf(base.numTimesteps()) : s);
    }

    /** Respaces {@code base} to {@code steps} evenly spaced steps (the spacing string "steps"). */
    public static SpacedSchedule of(NoiseSchedule base, int steps) {
        return of(base, String.valueOf(steps));
    }

    private static int[] allSteps(int t) {
        int[] a = new int[t];
        for (int i = 0; i < t; i++) a[i] = i;
        return a;
    }

    /**
     * guided-diffusion's {@code space_timesteps}: the sorted original timesteps kept by a spacing string.
     * Each comma-separated section count takes that many steps from its (near-)equal share of the T steps, at
     * {@code round_half_even(j * (size - 1) / (count - 1))} (accumulated in double precision, as the reference does);
     * "ddimN" picks the integer stride i with {@code len(range(0, T, i)) == N}.
     */
    public static int[] spaceTimesteps(int numTimesteps, String sectionCounts) {
        if (numTimesteps < 1) throw new InvalidInputException.Range("numTimesteps: expected >= 1, got " + numTimesteps);
        Checks.notNull(sectionCounts, "spacing");
        String s = sectionCounts.trim();
        TreeSet<Integer> steps = new TreeSet<>();
        if (s.startsWith("ddim")) {
            int desired = parseCount(s.substring(4), s);
            for (int i = 1; i < numTimesteps; i++) {
                int count = (numTimesteps + i - 1) / i; // len(range(0, T, i))
                if (count == desired) {
                    for (int t = 0; t < numTimesteps; t += i) steps.add(t);
                    return toArray(steps);
                }
            }
            throw new InvalidInputException.Range("spacing '" + s + "': cannot create exactly " + desired
                    + " steps out of " + numTimesteps + " with an integer stride");
        }
        String[] parts = s.split(",", -1);
        List<Integer> counts = new ArrayList<>();
        for (String p : parts) counts.add(parseCount(p.trim(), s));
        int sizePer = numTimesteps / counts.size();
        int extra = numTimesteps % counts.size();
        int start = 0;
        for (int i = 0; i < counts.size(); i++) {
            int size = sizePer + (i < extra ? 1 : 0);
            int count = counts.get(i);
            if (size < count) {
                throw new InvalidInputException.Range("spacing '" + s + "': cannot divide a section of " + size
                        + " steps into " + count);
            }
            double fracStride = count <= 1 ? 1.0 : (double) (size - 1) / (count - 1);
            double cur = 0.0;
            for (int j = 0; j < count; j++) {
                steps.add(start + (int) Math.rint(cur)); // Python's round(): half to even
                cur += fracStride;
            }
            start += size;
        }
        if (steps.isEmpty()) throw new InvalidInputException.Range("spacing '" + s + "' keeps no timestep");
        return toArray(steps);
    }

    private static int parseCount(String p, String whole) {
        try {
            int v = Integer.parseInt(p);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new InvalidInputException("spacing '" + whole + "': expected non-negative integers separated by commas"
                    + " or ddimN, got '" + p + "'");
        }
    }

    private static int[] toArray(TreeSet<Integer> set) {
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The original schedule. */
    public NoiseSchedule base() { return base; }

    /** The respaced schedule (betas, cumulative products and posterior terms indexed by the respaced step k). */
    public NoiseSchedule schedule() { return spaced; }

    /** Number of respaced steps K. */
    public int numSteps() { return timestepMap.length; }

    /** The original timestep of respaced step k: what the model is called with. */
    public int modelTimestep(int k) {
        if (k < 0 || k >= timestepMap.length) {
            throw new InvalidInputException.Range("respaced step: expected an index in [0, " + timestepMap.length + "), got " + k);
        }
        return timestepMap[k];
    }

    /** Copy of the map from respaced step to original timestep. */
    public int[] timestepMap() { return timestepMap.clone(); }

    public String spacing() { return spacing; }

    /**
     * The number of filter steps of the reference: {@code S = int(fraction * K)} (K respaced steps), at least 1.
     */
    public int stepsForFraction(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new InvalidInputException.Range("fraction: expected a value in (0, 1], got " + fraction);
        }
        int s = (int) (fraction * timestepMap.length);
        if (s < 1) {
            throw new InvalidInputException.Range("fraction " + fraction + " of " + timestepMap.length
                    + " respaced steps gives no filter step");
        }
        return s;
    }

    @Override public String toString() {
        return "SpacedSchedule(T=" + base.numTimesteps() + ", spacing=" + spacing + ", K=" + timestepMap.length + ")";
    }
}
