package org.acejvm.refine.calibrate;

import java.util.Comparator;

/**
 * What one setting of the attack grid did on the grid's images (all measured on the final explanations).
 *
 * @param lambda1     the l1 distance weight
 * @param step        the PGD step
 * @param images      images explained
 * @param flips       explanations classified as their target
 * @param attackFlips pre-explanations classified as their target (the classifier alone, before the refinement)
 * @param meanChange  mean |explanation - original| over all pixels of all images
 * @param topShare    mean share of the change carried by the 10% most-changed pixels, over the images that changed
 *                    (NaN when none did)
 * @param stuck       attacks that did not move or did not raise the target's probability ({@link AttackDiagnosis})
 */
public record GridPoint(double lambda1, double step, int images, int flips, int attackFlips, double meanChange,
                        double topShare, int stuck) {

    public double flipRate() { return images == 0 ? 0 : flips / (double) images; }

    /** Best first: more flips, then a smaller mean change, then a more concentrated change. */
    public static final Comparator<GridPoint> BEST_FIRST = Comparator.comparingInt(GridPoint::flips).reversed()
            .thenComparingDouble(GridPoint::meanChange)
            .thenComparing(p -> Double.isNaN(p.topShare()) ? Double.NEGATIVE_INFINITY : p.topShare(),
                    Comparator.reverseOrder());
}
