package org.acejvm.metrics.morpho;

import java.util.List;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Morpho-MNIST shape measurements of a digit image (Castro et al. 2019, "Morpho-MNIST: Quantitative Assessment and
 * Diagnostics for Representation Learning"), in pixels of the original image and radians:
 *
 * <ul>
 *   <li>{@code area}: foreground pixels of the binarised, upscaled image / scale<sup>2</sup>;</li>
 *   <li>{@code length}: length of the skeleton (steps to the east and south neighbours count 1, diagonal steps
 *       sqrt 2);</li>
 *   <li>{@code thickness}: twice the mean distance from skeleton pixels to the background;</li>
 *   <li>{@code slant}: {@code arctan(-u11 / u02)} of the grey image's central moments (positive leans right);</li>
 *   <li>{@code width}, {@code height}: of the bounding parallelogram, sheared by the slant, that leaves 1% of the
 *       grey mass outside on each side.</li>
 * </ul>
 *
 * <p>The pipeline is the paper's, made deterministic: bilinear upscaling (x4) instead of scikit-image's Gaussian
 * pyramid, binarisation at half way between the upscaled image's minimum and maximum, and Zhang-Suen thinning
 * instead of the medial axis (whose ties scikit-image breaks at random; a blob it thins away keeps one pixel). {@code scripts/ace_torch/morpho.py} computes
 * the same steps in numpy and is the reference of the tests. A constant image has no shape: every field is NaN.
 */
public record Morphometrics(double area, double length, double thickness, double slant, double width, double height) {
    /** The measurements' names, in the order of {@link #toArray()}. */
    public static final List<String> NAMES = List.of("area", "length", "thickness", "slant", "width", "height");
    public static final double THRESHOLD = 0.5;
    public static final int SCALE = 4;
    public static final double BOUND_FRACTION = 0.02;

    private static final double SQRT2 = Math.sqrt(2.0);

    public double[] toArray() { return new double[] {area, length, thickness, slant, width, height}; }

    /** Whether the image had a shape (not constant). */
    public boolean defined() { return !Double.isNaN(area); }

    /** The measurements of each image of a batch [N, 1, H, W] (or [N, H, W]) of values in [0, 1]. */
    public static Morphometrics[] measure(INDArray images) {
        Checks.notNull(images, "images");
        long[] s = images.shape();
        if (!(s.length == 4 && s[1] == 1) && s.length != 3) {
            throw new InvalidInputException.Shape("Morpho-MNIST measurements: expected grey images [N, 1, H, W] or [N, H, W], got "
                    + java.util.Arrays.toString(s));
        }
        int n = (int) s[0], h = (int) s[s.length - 2], w = (int) s[s.length - 1];
        double[] v = images.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        Morphometrics[] out = new Morphometrics[n];
        for (int i = 0; i < n; i++) {
            double[][] img = new double[h][w];
            for (int y = 0; y < h; y++) System.arraycopy(v, (i * h + y) * w, img[y], 0, w);
            out[i] = measure(img);
        }
        return out;
    }

    /** The measurements of one image [H][W] with the paper's settings (threshold 0.5, scale 4, 2% bound). */
    public static Morphometrics measure(double[][] image) { return measure(image, THRESHOLD, SCALE, BOUND_FRACTION); }

    public static Morphometrics measure(double[][] image, double threshold, int scale, double boundFraction) {
        Checks.notNull(image, "image");
        if (image.length == 0 || image[0].length == 0) throw new InvalidInputException.Shape("Morpho-MNIST measurements: empty image");
        for (double[] row : image) {
            if (row.length != image[0].length) throw new InvalidInputException.Shape("Morpho-MNIST measurements: ragged image rows");
            for (double p : row) if (!Double.isFinite(p)) throw new InvalidInputException.NonFinite("Morpho-MNIST measurements: a pixel is " + p);
        }
        if (scale < 1) throw new InvalidInputException.Range("scale: expected at least 1, got " + scale);
        if (!(threshold > 0 && threshold < 1)) throw new InvalidInputException.Range("threshold: expected a value in (0, 1), got " + threshold);
        if (!(boundFraction >= 0 && boundFraction < 1)) {
            throw new InvalidInputException.Range("bound fraction: expected a value in [0, 1), got " + boundFraction);
        }
        double[][] hi = upscale(image, scale);
        int h = hi.length, w = hi[0].length;
        double lo = Double.POSITIVE_INFINITY, top = Double.NEGATIVE_INFINITY;
        for (double[] row : hi) for (double p : row) { lo = Math.min(lo, p); top = Math.max(top, p); }
        if (!(top > lo)) return new Morphometrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        double cut = lo + (top - lo) * threshold;
        boolean[][] binary = new boolean[h][w];
        long foreground = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                binary[y][x] = hi[y][x] >= cut;
                if (binary[y][x]) foreground++;
            }
        }
        boolean[][] skeleton = ZhangSuen.thin(binary);
        keepOnePixel(binary, skeleton);
        double area = (double) foreground / ((double) scale * scale);

        double length = 0, distanceSum = 0;
        int skeletonPixels = 0;
        int[][] background = backgroundPixels(binary);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!skeleton[y][x]) continue;
                // the skeleton correlated with [[0,0,0],[0,0,1],[sqrt2,1,sqrt2]] at (y, x)
                length += ZhangSuen.at(skeleton, y, x + 1) + SQRT2 * ZhangSuen.at(skeleton, y + 1, x - 1)
                        + ZhangSuen.at(skeleton, y + 1, x) + SQRT2 * ZhangSuen.at(skeleton, y + 1, x + 1);
                distanceSum += nearestBackground(background, y, x);
                skeletonPixels++;
            }
        }
        length /= scale;
        double thickness = 2.0 * (distanceSum / skeletonPixels) / scale;

        // central moments of the grey upscaled image
        double m00 = 0, mx = 0, my = 0, mxy = 0, myy = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double p = hi[y][x];
                m00 += p;
                mx += x * p;
                my += y * p;
                mxy += (double) x * y * p;
                myy += (double) y * y * p;
            }
        }
        double m10 = mx / m00, m01 = my / m00;
        double u11 = mxy / m00 - m10 * m01, u02 = myy / m00 - m01 * m01;
        double shear = u11 / u02;
        double slant = Math.atan(-shear);

        // mass CDFs across the sheared columns and down the rows
        double[] hcdf = new double[w], vcdf = new double[h], locs = new double[Math.max(w, h)];
        for (int t = 0; t < locs.length; t++) locs[t] = t;
        for (int t = 0; t < w; t++) {
            double c = 0;
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) if (x + 0.5 < t + shear * (y - m01)) c += hi[y][x];
            hcdf[t] = c / m00;
        }
        for (int t = 0; t < h; t++) {
            double c = 0;
            for (int y = 0; y < t; y++) for (int x = 0; x < w; x++) c += hi[y][x];
            vcdf[t] = c / m00;
        }
        double f = boundFraction / 2;
        double left = interp(f, hcdf, locs), right = interp(1 - f, hcdf, locs);
        double upper = interp(f, vcdf, locs), lower = interp(1 - f, vcdf, locs);
        return new Morphometrics(area, length, thickness, slant, (right - left) / scale, (lower - upper) / scale);
    }

    /** Bilinear upscaling on pixel centres: output i samples input (i + 0.5) / scale - 0.5, clamped to the image. */
    static double[][] upscale(double[][] img, int scale) {
        int h = img.length, w = img[0].length;
        double[][] out = new double[h * scale][w * scale];
        for (int i = 0; i < h * scale; i++) {
            double cy = Math.min(Math.max((i + 0.5) / scale - 0.5, 0), h - 1);
            int y0 = (int) Math.floor(cy), y1 = Math.min(y0 + 1, h - 1);
            double fy = cy - y0;
            for (int j = 0; j < w * scale; j++) {
                double cx = Math.min(Math.max((j + 0.5) / scale - 0.5, 0), w - 1);
                int x0 = (int) Math.floor(cx), x1 = Math.min(x0 + 1, w - 1);
                double fx = cx - x0;
                double upperRow = img[y0][x0] * (1 - fx) + img[y0][x1] * fx;
                double lowerRow = img[y1][x0] * (1 - fx) + img[y1][x1] * fx;
                out[i][j] = upperRow * (1 - fy) + lowerRow * fy;
            }
        }
        return out;
    }

    /**
     * A blob that thinning removes entirely (Zhang-Suen deletes 2x2 squares) keeps its first foreground pixel in
     * raster order as its skeleton, so that every image with a shape has a length and a thickness.
     */
    static void keepOnePixel(boolean[][] binary, boolean[][] skeleton) {
        for (boolean[] row : skeleton) for (boolean p : row) if (p) return;
        for (int y = 0; y < binary.length; y++) {
            for (int x = 0; x < binary[y].length; x++) {
                if (binary[y][x]) {
                    skeleton[y][x] = true;
                    return;
                }
            }
        }
    }

    /** The background pixels (y, x), including the frame just outside the image. */
    private static int[][] backgroundPixels(boolean[][] binary) {
        int h = binary.length, w = binary[0].length;
        java.util.List<int[]> out = new java.util.ArrayList<>();
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) if (!binary[y][x]) out.add(new int[] {y, x});
        for (int x = 0; x < w; x++) { out.add(new int[] {-1, x}); out.add(new int[] {h, x}); }
        for (int y = 0; y < h; y++) { out.add(new int[] {y, -1}); out.add(new int[] {y, w}); }
        return out.toArray(new int[0][]);
    }

    private static double nearestBackground(int[][] background, int y, int x) {
        long best = Long.MAX_VALUE;
        for (int[] b : background) {
            long dy = b[0] - y, dx = b[1] - x;
            best = Math.min(best, dy * dy + dx * dx);
        }
        return Math.sqrt(best);
    }

    /** numpy.interp on a non-decreasing {@code xp}: clamped at the ends, linear between the bracketing points. */
    static double interp(double q, double[] xp, double[] fp) {
        int n = xp.length;
        if (q <= xp[0]) return fp[0];
        if (q >= xp[n - 1]) return fp[n - 1];
        int j = 0;
        while (j + 1 < n && xp[j + 1] <= q) j++;
        double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
        return slope * (q - xp[j]) + fp[j];
    }
}
