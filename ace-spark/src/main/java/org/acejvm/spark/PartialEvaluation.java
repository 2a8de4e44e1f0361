package org.acejvm.spark;

import java.io.Serializable;
import org.acejvm.metrics.FeatureMoments;

/**
 * What one partition contributes to a distributed evaluation, as sums and feature moments that merge exactly
 * (counts, sums of oracle probabilities, {@link FeatureMoments.State}s): no image leaves its partition. Public only
 * because Spark's encoders require it; not part of the API.
 */
public final class PartialEvaluation implements Serializable {
    private static final long serialVersionUID = 1L;

    long pairs;
    long successes;
    long oracleJudged;       // successful, targeted explanations the oracle judged
    long oracleAgreed;
    double oracleBefore;     // sums of the oracle's p(target) on originals and explanations
    double oracleAfter;
    FeatureMoments.State originals;          // null until the first features
    FeatureMoments.State counterfactuals;    // successful explanations only
    FeatureMoments.State[][] originalHalves; // [split][half]
    FeatureMoments.State[][] counterfactualHalves;

    PartialEvaluation merge(PartialEvaluation o) {
        PartialEvaluation m = new PartialEvaluation();
        m.pairs = pairs + o.pairs;
        m.successes = successes + o.successes;
        m.oracleJudged = oracleJudged + o.oracleJudged;
        m.oracleAgreed = oracleAgreed + o.oracleAgreed;
        m.oracleBefore = oracleBefore + o.oracleBefore;
        m.oracleAfter = oracleAfter + o.oracleAfter;
        m.originals = merge(originals, o.originals);
        m.counterfactuals = merge(counterfactuals, o.counterfactuals);
        m.originalHalves = merge(originalHalves, o.originalHalves);
        m.counterfactualHalves = merge(counterfactualHalves, o.counterfactualHalves);
        return m;
    }

    static FeatureMoments.State merge(FeatureMoments.State a, FeatureMoments.State b) {
        if (a == null) return b;
        if (b == null) return a;
        return FeatureMoments.of(a).merge(FeatureMoments.of(b)).state();
    }

    private static FeatureMoments.State[][] merge(FeatureMoments.State[][] a, FeatureMoments.State[][] b) {
        if (a == null) return b;
        if (b == null) return a;
        FeatureMoments.State[][] m = new FeatureMoments.State[a.length][2];
        for (int r = 0; r < a.length; r++) for (int h = 0; h < 2; h++) m[r][h] = merge(a[r][h], b[r][h]);
        return m;
    }
}
