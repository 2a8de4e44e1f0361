"""Morpho-MNIST shape measurements (Castro et al. 2019), deterministic and numpy-only: the Python reference of
ace-metrics' Morphometrics (Java), which computes the same steps in the same order.

The paper's pipeline, with two deterministic substitutes (the published code uses scikit-image, whose medial axis
breaks ties at random and whose pyramid upscaling smooths with a Gaussian):
  1. upscale the [0, 1] image by `scale` (4) with bilinear interpolation on pixel centres (edge pixels repeated);
  2. binarise at min + threshold (0.5) * (max - min) of the upscaled image (>=);
  3. skeleton: Zhang-Suen thinning of the binary image (instead of the medial axis), to a fixed point; a blob
     that thins away entirely (2x2 squares) keeps its first foreground pixel in raster order;
  4. distance map: exact Euclidean distance from each skeleton pixel to the nearest background pixel (pixels
     outside the image count as background);
  area      = foreground pixels / scale^2
  length    = sum over skeleton pixels of the skeleton correlated with [[0,0,0],[0,0,1],[sqrt2,1,sqrt2]] / scale
  thickness = 2 * mean(distance on the skeleton) / scale
  slant     = arctan(-u11 / u02) of the upscaled grey image's central moments (radians; positive leans right)
  width, height: of the bounding parallelogram sheared by u11/u02 that leaves bound_frac/2 of the grey mass
            on each side (linear interpolation of the mass CDFs), / scale
Images without foreground or of constant value have no measurement (NaN).
"""
import math

import numpy as np

MASK = np.array([[0., 0., 0.], [0., 0., 1.], [math.sqrt(2.), 1., math.sqrt(2.)]])
NAMES = ('area', 'length', 'thickness', 'slant', 'width', 'height')


def upscale(img, scale):
    """Bilinear on pixel centres: output pixel i samples input coordinate (i + 0.5) / scale - 0.5, clamped."""
    h, w = img.shape

    def axis(n):
        c = (np.arange(n * scale) + 0.5) / scale - 0.5
        c = np.clip(c, 0, n - 1)
        lo = np.floor(c).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        return lo, hi, c - lo

    ylo, yhi, fy = axis(h)
    xlo, xhi, fx = axis(w)
    top = img[ylo][:, xlo] * (1 - fx) + img[ylo][:, xhi] * fx
    bottom = img[yhi][:, xlo] * (1 - fx) + img[yhi][:, xhi] * fx
    return top * (1 - fy)[:, None] + bottom * fy[:, None]


def zhang_suen(binary):
    """Zhang-Suen thinning (1984): two sub-iterations per pass, each deleting in parallel, until nothing changes."""
    img = np.pad(binary.astype(np.uint8), 1)
    while True:
        changed = False
        for step in (0, 1):
            p2, p3, p4 = img[:-2, 1:-1], img[:-2, 2:], img[1:-1, 2:]
            p5, p6, p7 = img[2:, 2:], img[2:, 1:-1], img[2:, :-2]
            p8, p9 = img[1:-1, :-2], img[:-2, :-2]
            ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2]
            b = sum(r.astype(int) for r in ring[:8])
            a = sum(((ring[k] == 0) & (ring[k + 1] == 1)).astype(int) for k in range(8))
            if step == 0:
                c = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0)
            else:
                c = (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            delete = (img[1:-1, 1:-1] == 1) & (b >= 2) & (b <= 6) & (a == 1) & c
            if delete.any():
                img[1:-1, 1:-1][delete] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


def distances(binary, points):
    """Exact Euclidean distance from each (y, x) in points to the nearest background pixel (outside = background)."""
    h, w = binary.shape
    by, bx = np.nonzero(~binary)
    # the frame of background pixels just outside the image
    fy = np.concatenate([np.full(w, -1), np.full(w, h), np.arange(h), np.arange(h)])
    fx = np.concatenate([np.arange(w), np.arange(w), np.full(h, -1), np.full(h, w)])
    by, bx = np.concatenate([by, fy]), np.concatenate([bx, fx])
    py, px = points
    d2 = (py[:, None] - by[None, :]) ** 2 + (px[:, None] - bx[None, :]) ** 2
    return np.sqrt(d2.min(axis=1).astype(float))


def moments(img):
    x = np.arange(img.shape[1])[None, :]
    y = np.arange(img.shape[0])[:, None]
    m00 = img.sum()
    m10 = (x * img).sum() / m00
    m01 = (y * img).sum() / m00
    u11 = (x * y * img).sum() / m00 - m10 * m01
    u02 = (y * y * img).sum() / m00 - m01 * m01
    return m01, u11, u02


def interp(q, cdf, locs):
    """np.interp of the quantile q on a non-decreasing CDF."""
    return float(np.interp(q, cdf, locs))


def measure(img, threshold=0.5, scale=4, bound_frac=0.02):
    img = np.asarray(img, dtype=np.float64)
    hi = upscale(img, scale)
    lo_v, hi_v = hi.min(), hi.max()
    if not hi_v > lo_v:
        return [float('nan')] * 6
    binary = hi >= lo_v + (hi_v - lo_v) * threshold
    skeleton = zhang_suen(binary)
    if not skeleton.any():  # a blob thinned away entirely (2x2 squares) keeps its first pixel in raster order
        skeleton = np.zeros_like(binary)
        skeleton[tuple(np.argwhere(binary)[0])] = True
    sy, sx = np.nonzero(skeleton)
    area = binary.sum() / scale ** 2
    skel = np.pad(skeleton.astype(float), 1)
    conv = sum(MASK[dy, dx] * skel[dy:dy + skeleton.shape[0], dx:dx + skeleton.shape[1]]
               for dy in range(3) for dx in range(3))
    length = float((conv * skeleton).sum()) / scale
    thickness = 2.0 * float(distances(binary, (sy, sx)).mean()) / scale
    middle, u11, u02 = moments(hi)
    shear = u11 / u02
    slant = math.atan(-shear)
    h, w = hi.shape
    x = np.arange(w)[None, :]
    y = np.arange(h)[:, None]
    mass = hi.sum()
    hloc = np.arange(w)
    hcdf = np.array([((x + 0.5 < t + shear * (y - middle)) * hi).sum() for t in hloc]) / mass
    vcdf = np.array([((y < t) * hi).sum() for t in range(h)]) / mass
    f = bound_frac / 2
    left, right = interp(f, hcdf, hloc), interp(1 - f, hcdf, hloc)
    top, bottom = interp(f, vcdf, np.arange(h)), interp(1 - f, vcdf, np.arange(h))
    return [area, length, thickness, slant, (right - left) / scale, (bottom - top) / scale]
