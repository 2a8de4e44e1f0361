package org.acejvm.metrics.morpho;

/**
 * Zhang-Suen thinning (Zhang and Suen 1984): the one-pixel-wide skeleton of a binary image. Each pass has two
 * sub-iterations; each marks every deletable pixel of the current image, then deletes them all at once, so the result
 * does not depend on a scan order. Pixels outside the image are background.
 */
final class ZhangSuen {
    private ZhangSuen() {}

    /** The skeleton of {@code binary} [h][w] (a new array; the input is not changed). */
    static boolean[][] thin(boolean[][] binary) {
        int h = binary.length, w = binary[0].length;
        boolean[][] img = new boolean[h][];
        for (int y = 0; y < h; y++) img[y] = binary[y].clone();
        boolean[][] delete = new boolean[h][w];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int step = 0; step < 2; step++) {
                boolean any = false;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        delete[y][x] = img[y][x] && deletable(img, y, x, step);
                        any |= delete[y][x];
                    }
                }
                if (!any) continue;
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) if (delete[y][x]) img[y][x] = false;
                changed = true;
            }
        }
        return img;
    }

    /** 1 where {@code img} is set at (y, x), 0 there or outside the image. */
    static int at(boolean[][] img, int y, int x) {
        return y >= 0 && y < img.length && x >= 0 && x < img[0].length && img[y][x] ? 1 : 0;
    }

    /** Zhang-Suen's conditions on the 8 neighbours P2 (north) to P9 (north-west), clockwise. */
    private static boolean deletable(boolean[][] img, int y, int x, int step) {
        int p2 = at(img, y - 1, x), p3 = at(img, y - 1, x + 1), p4 = at(img, y, x + 1), p5 = at(img, y + 1, x + 1);
        int p6 = at(img, y + 1, x), p7 = at(img, y + 1, x - 1), p8 = at(img, y, x - 1), p9 = at(img, y - 1, x - 1);
        int[] ring = {p2, p3, p4, p5, p6, p7, p8, p9, p2};
        int b = 0, a = 0;
        for (int k = 0; k < 8; k++) {
            b += ring[k];
            if (ring[k] == 0 && ring[k + 1] == 1) a++;
        }
        if (b < 2 || b > 6 || a != 1) return false;
        return step == 0 ? p2 * p4 * p6 == 0 && p4 * p6 * p8 == 0 : p2 * p4 * p8 == 0 && p2 * p6 * p8 == 0;
    }
}
