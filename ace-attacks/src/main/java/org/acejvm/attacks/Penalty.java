package org.acejvm.attacks;

import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.Checks;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * One term of the attack objective that keeps the search near where it started: pixel distances for image-space
 * attacks, a code distance for latent-space ones. The objective adds every penalty's term and multiplies the sum by
 * the {@link DistanceSchedule}'s weight.
 */
public interface Penalty {
    /** Keeps an l2 distance differentiable where it is 0 (gradient 0 there, as PyTorch's norm gives). */
    double L2_FLOOR = 1e-24;

    /** Adds this penalty's scalar term (summed over the batch, before the schedule weight) to the graph. */
    SDVariable term(PenaltyInputs in);

    /** {@code lambda * sum |x - x'|} over the whole batch. */
    static Penalty pixelL1(double lambda) { return new PixelL1(lambda); }

    /** {@code lambda * sum_b ||x_b - x'_b||_2}. */
    static Penalty pixelL2(double lambda) { return new PixelL2(lambda); }

    /** {@code alpha * sum_b ||s_b - s0_b||_2}: keeps a latent code near its start code (AIP, xGEMs). */
    static Penalty latentL2(double alpha) { return new LatentL2(alpha); }

    /** The pixel terms of {@link AttackSettings#lambda1()} and {@link AttackSettings#lambda2()}; a zero weight adds none. */
    static List<Penalty> pixels(double lambda1, double lambda2) {
        List<Penalty> out = new ArrayList<>(2);
        if (lambda1 > 0) out.add(pixelL1(lambda1));
        if (lambda2 > 0) out.add(pixelL2(lambda2));
        return out;
    }

    /** {@code sum_b sqrt(sum of d_b^2 + L2_FLOOR)} for {@code d} of rank {@code rank}. */
    static SDVariable sumOfNorms(SameDiff sd, SDVariable d, int rank) {
        int[] dims = new int[rank - 1];
        for (int i = 0; i < dims.length; i++) dims[i] = i + 1;
        return sd.math.sqrt(d.mul(d).sum(dims).add(L2_FLOOR)).sum();
    }

    /** See {@link Penalty#pixelL1(double)}. */
    record PixelL1(double lambda) implements Penalty {
        public PixelL1 { Checks.positive(lambda, "pixel l1 weight"); }

        @Override
        public SDVariable term(PenaltyInputs in) {
            return in.sameDiff().math.abs(in.imageChange()).sum().mul(lambda);
        }
    }

    /** See {@link Penalty#pixelL2(double)}. */
    record PixelL2(double lambda) implements Penalty {
        public PixelL2 { Checks.positive(lambda, "pixel l2 weight"); }

        @Override
        public SDVariable term(PenaltyInputs in) {
            return sumOfNorms(in.sameDiff(), in.imageChange(), 4).mul(lambda);
        }
    }

    /** See {@link Penalty#latentL2(double)}. */
    record LatentL2(double alpha) implements Penalty {
        public LatentL2 { Checks.positive(alpha, "latent l2 weight"); }

        @Override
        public SDVariable term(PenaltyInputs in) {
            return sumOfNorms(in.sameDiff(), in.searchChange(), in.searchRank()).mul(alpha);
        }
    }
}
