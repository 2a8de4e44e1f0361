#!/usr/bin/python3
"""Makes the test fixtures of ace-metrics: inputs and independently computed expected values.

Run with Debian's interpreter (numpy + scipy):  /usr/bin/python3 scripts/make_metric_fixtures.py
Writes .npy files to ace-metrics/src/test/resources/org/acejvm/metrics/fixtures/ (a few hundred KB in all).

Expected values come from straightforward NumPy/SciPy code written independently of the Java implementation:
- FID: the pytorch-fid formula (numpy.cov, scipy.linalg.sqrtm of sigma1 @ sigma2, real part, eps*I retry).
- sFID: the same FID over random halves; the halves come from a SplitMix64 Fisher-Yates shuffle that
  org.acejvm.metrics.SFid reproduces bit for bit (so both sides see the same splits).
- COUT: the insertion curves of Khorram et al. (c3lt) as the reference evaluation computes them, with a linear softmax
  classifier logits = flatten(x) @ W^T + b whose weights are committed.
"""
import math
import os

import numpy as np
from scipy import linalg

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ace-metrics", "src", "test", "resources",
                   "org", "acejvm", "metrics", "fixtures")
MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def save(name, array):
    np.save(os.path.join(OUT, name + ".npy"), array)


# ---------------------------------------------------------------------------------------------------- FID
def fid_pytorch(a, b, eps=1e-6):
    """pytorch-fid's calculate_frechet_distance on the Gaussian fits of two feature sets."""
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    s1, s2 = np.atleast_2d(s1), np.atleast_2d(s2)
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * eps
        covmean = linalg.sqrtm((s1 + offset).dot(s2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("imaginary component %g" % np.max(np.abs(covmean.imag)))
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def fid_eigh(a, b):
    """Cross-check: the symmetric-eigendecomposition route (not used as the expected value)."""
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    s1, s2 = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    w, v = np.linalg.eigh(s1)
    bmat = v * np.sqrt(np.clip(w, 0, None))
    m = bmat.T @ s2 @ bmat
    tr = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    d = mu1 - mu2
    return float(d @ d + np.trace(s1) + np.trace(s2) - 2 * tr)


def make_fid(rng):
    cases = []
    # 200 x 16: two correlated Gaussians with different means and covariances
    a = rng.normal(size=(200, 16)) @ rng.normal(size=(16, 16)) * 0.5 + 0.3
    b = rng.normal(size=(200, 16)) @ rng.normal(size=(16, 16)) * 0.7 - 0.1
    cases.append(("fid_small", a, b))
    # 500 x 64
    a = rng.normal(size=(500, 64)) @ rng.normal(size=(64, 64)) * 0.2 + rng.normal(size=64)
    b = rng.normal(size=(500, 64)) @ rng.normal(size=(64, 64)) * 0.25 + rng.normal(size=64)
    cases.append(("fid_medium", a, b))
    # nearly singular: 300 x 32 features on a 24-dimensional subspace plus 1e-4 noise
    pa, pb = rng.normal(size=(24, 32)), rng.normal(size=(24, 32))
    a = rng.normal(size=(300, 24)) @ pa + 1e-4 * rng.normal(size=(300, 32))
    b = rng.normal(size=(300, 24)) @ pb + 1e-4 * rng.normal(size=(300, 32)) + 0.5
    cases.append(("fid_singular", a, b))
    expected = []
    for name, a, b in cases:
        save(name + "_a", a)
        save(name + "_b", b)
        ref, alt = fid_pytorch(a, b), fid_eigh(a, b)
        print("%-13s %dx%d  FID scipy.sqrtm %.12f  eigh route %.12f  rel diff %.2e"
              % (name, a.shape[0], a.shape[1], ref, alt, abs(ref - alt) / abs(ref)))
        expected.append(ref)
    save("fid_expected", np.array(expected))


# ---------------------------------------------------------------------------------------------------- sFID
class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + GOLDEN) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def permutation(n, seed):
    """Fisher-Yates driven by SplitMix64: j = (next >>> 1) mod (i + 1), for i = n-1 down to 1."""
    p = list(range(n))
    r = SplitMix64(seed)
    for i in range(n - 1, 0, -1):
        j = (r.next() >> 1) % (i + 1)
        p[i], p[j] = p[j], p[i]
    return p


def sfid(orig, cf, success, splits, seed):
    n = orig.shape[0]
    values = []
    for r in range(splits):
        p = np.array(permutation(n, seed + r))
        h1, h2 = p[: n // 2], p[n // 2:]
        c2 = h2[success[h2]]
        c1 = h1[success[h1]]
        values.append(0.5 * (fid_pytorch(orig[h1], cf[c2]) + fid_pytorch(orig[h2], cf[c1])))
    return float(np.mean(values)), values


def make_sfid(rng):
    orig = rng.normal(size=(60, 8)) + 0.2
    cf = orig + rng.normal(size=(60, 8)) * 0.5 + 0.3
    success = rng.random(60) < 0.8
    save("sfid_orig", orig)
    save("sfid_cf", cf)
    save("sfid_success", success.astype(np.float64))
    all_ok, per_all = sfid(orig, cf, np.ones(60, dtype=bool), 3, 7)
    ok, per = sfid(orig, cf, success, 3, 7)
    print("sFID all %.10f %s   successful only %.10f %s" % (all_ok, per_all, ok, per))
    print("first permutation(10, 7):", permutation(10, 7))
    save("sfid_expected", np.array([all_ok, ok]))
    save("sfid_perm10_seed7", np.array(permutation(10, 7), dtype=np.float64))


# ---------------------------------------------------------------------------------------------------- COUT
def softmax(z):
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()


def cout_one(o, c, w, b, src, tgt, exact):
    """Insertion curves of one sample: start from the original, insert the counterfactual's pixels in order of
    channel-summed |difference| (descending, ties by pixel index), max(1, HW // 50) pixels per step."""
    o = o.astype(np.float64)
    c = c.astype(np.float64)
    ch, h, wd = o.shape
    hw = h * wd
    step = max(1, hw // 50)
    d = np.abs(c - o).sum(axis=0).reshape(-1)
    order = np.argsort(-d, kind="stable")
    steps = math.ceil(hw / step)
    img = o.copy()
    xs, pt, ps = [], [], []
    for k in range(steps + 1):
        if k > 0:
            idx = order[(k - 1) * step: k * step]
            rows, cols = np.divmod(idx, wd)
            img[:, rows, cols] = c[:, rows, cols]
        p = softmax(img.reshape(-1) @ w.T.astype(np.float64) + b.astype(np.float64))
        xs.append(min(k * step, hw) / hw if exact else k * step / hw)
        pt.append(p[tgt])
        ps.append(p[src])
    xs, pt, ps = np.array(xs), np.array(pt), np.array(ps)
    return float(np.trapz(pt, xs) - np.trapz(ps, xs)), xs, pt, ps


def make_cout(rng, name, shape, n, weight_scale):
    """weight_scale keeps the logits moderate, so the float32 classifier in Java stays well within 1e-6 of float64."""
    ch, h, wd = shape
    w = (rng.normal(size=(3, ch * h * wd)) * weight_scale).astype(np.float32)
    b = (rng.normal(size=3) * 0.1).astype(np.float32)
    x = rng.random((n,) + shape).astype(np.float32)
    cf = x.copy()
    for i in range(n):
        if i == n - 1:
            continue  # an unchanged "counterfactual": the curves are flat
        r0, c0 = rng.integers(0, h // 2), rng.integers(0, wd // 2)
        cf[i, :, r0:r0 + h // 2, c0:c0 + wd // 2] = rng.random((ch, h // 2, wd // 2))
        cf[i] += (rng.random(shape) * 0.05).astype(np.float32) * (rng.random(shape) < 0.3)
    cf = np.clip(cf, 0, 1).astype(np.float32)
    src = rng.integers(0, 3, size=n)
    tgt = (src + 1 + rng.integers(0, 2, size=n)) % 3
    save(name + "_w", w)
    save(name + "_b", b)
    save(name + "_x", x)
    save(name + "_cf", cf)
    save(name + "_src", src.astype(np.float64))
    save(name + "_tgt", tgt.astype(np.float64))
    for exact in (True, False):
        res = [cout_one(x[i], cf[i], w, b, src[i], tgt[i], exact) for i in range(n)]
        suffix = "" if exact else "_c3lt"
        save(name + "_expected" + suffix, np.array([r[0] for r in res]))
        save(name + "_x_axis" + suffix, res[0][1])
        save(name + "_curve_target" + suffix, np.stack([r[2] for r in res]))
        save(name + "_curve_source" + suffix, np.stack([r[3] for r in res]))
        print("%s %s COUT per sample %s  mean %.8f" % (name, "exact" if exact else "c3lt", np.round([r[0] for r in res], 6),
                                                     np.mean([r[0] for r in res])))


# ---------------------------------------------------------------------------------------------------- LPIPS weights
def make_lpips_weights():
    # two layers of 2 and 3 channels, in LPIPS's own layout [1, C, 1, 1]
    save("lpips_w0", np.array([0.5, 2.0], dtype=np.float32).reshape(1, 2, 1, 1))
    save("lpips_w1", np.array([1.0, 0.0, 0.25], dtype=np.float32).reshape(1, 3, 1, 1))
    save("lpips_negative", np.array([1.0, -0.5], dtype=np.float32).reshape(1, 2, 1, 1))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240607)
    make_fid(rng)
    make_sfid(rng)
    make_cout(rng, "cout8", (1, 8, 8), 6, 0.4)
    make_cout(rng, "cout11", (2, 11, 11), 4, 0.15)
    make_lpips_weights()


if __name__ == "__main__":
    main()
