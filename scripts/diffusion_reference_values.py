#!/usr/bin/python3
"""Closed-form diffusion schedule values for the Java tests, computed independently in numpy float64.

Follows guided-diffusion (gaussian_diffusion.py / respace.py) semantics:
  linear: np.linspace(scale*1e-4, scale*0.02, T) with scale = 1000/T
  cosine: betas_for_alpha_bar with cos((t+0.008)/1.008*pi/2)**2, max beta 0.999
  space_timesteps(T, "a,b,c" | "ddimN"), respaced betas 1 - abar[t_k]/abar[t_{k-1}]

Writes ace-diffusion/src/test/resources/diffusion/reference_values.json
Usage: /usr/bin/python3 scripts/diffusion_reference_values.py
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "ace-diffusion", "src", "test", "resources", "diffusion",
                   "reference_values.json")


def linear_betas(T):
    scale = 1000 / T
    return np.linspace(scale * 0.0001, scale * 0.02, T, dtype=np.float64)


def cosine_betas(T, max_beta=0.999):
    f = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
    return np.array([min(1 - f((i + 1) / T) / f(i / T), max_beta) for i in range(T)], dtype=np.float64)


def space_timesteps(T, section_counts):
    if section_counts.startswith("ddim"):
        desired = int(section_counts[len("ddim"):])
        for i in range(1, T):
            if len(range(0, T, i)) == desired:
                return sorted(set(range(0, T, i)))
        raise ValueError("no stride")
    counts = [int(x) for x in section_counts.split(",")]
    size_per = T // len(counts)
    extra = T % len(counts)
    start = 0
    steps = []
    for i, c in enumerate(counts):
        size = size_per + (1 if i < extra else 0)
        frac = 1 if c <= 1 else (size - 1) / (c - 1)
        cur = 0.0
        for _ in range(c):
            steps.append(start + round(cur))
            cur += frac
        start += size
    return sorted(set(steps))


def terms(betas):
    alphas = 1.0 - betas
    ac = np.cumprod(alphas, axis=0)
    ac_prev = np.append(1.0, ac[:-1])
    pv = betas * (1.0 - ac_prev) / (1.0 - ac)
    return {
        "betas": betas,
        "alphas_cumprod": ac,
        "alphas_cumprod_prev": ac_prev,
        "sqrt_alphas_cumprod": np.sqrt(ac),
        "sqrt_one_minus_alphas_cumprod": np.sqrt(1.0 - ac),
        "sqrt_recip_alphas_cumprod": np.sqrt(1.0 / ac),
        "sqrt_recipm1_alphas_cumprod": np.sqrt(1.0 / ac - 1),
        "posterior_variance": pv,
        "posterior_log_variance_clipped": np.log(np.append(pv[1], pv[1:])),
        "posterior_mean_coef1": betas * np.sqrt(ac_prev) / (1.0 - ac),
        "posterior_mean_coef2": (1.0 - ac_prev) * np.sqrt(alphas) / (1.0 - ac),
    }


def respaced_betas(base_betas, kept):
    ac = np.cumprod(1.0 - base_betas)
    last = 1.0
    out = []
    for i, a in enumerate(ac):
        if i in kept:
            out.append(1 - a / last)
            last = a
    return np.array(out, dtype=np.float64)


def pick(t, idx):
    return {k: [float(v[i]) for i in idx] for k, v in t.items()}


def main():
    out = {"schedules": [], "spacings": [], "respaced": []}
    for name, T, idx in [("linear", 500, [0, 1, 2, 10, 31, 250, 498, 499]),
                         ("linear", 1000, [0, 1, 500, 999]),
                         ("cosine", 1000, [0, 1, 2, 100, 500, 998, 999]),
                         ("cosine", 50, [0, 1, 25, 49])]:
        b = linear_betas(T) if name == "linear" else cosine_betas(T)
        out["schedules"].append({"name": name, "T": T, "steps": idx, "values": pick(terms(b), idx)})
    for T, s in [(500, "50"), (500, "25"), (1000, "25"), (1000, "100"), (300, "10,10,10"), (100, "5,3"),
                 (1000, "ddim25"), (1000, "ddim50"), (101, "7,0,4"), (500, "500"), (10, "1")]:
        out["spacings"].append({"T": T, "spacing": s, "timesteps": [int(x) for x in space_timesteps(T, s)]})
    for name, T, s in [("linear", 500, "50"), ("linear", 1000, "25"), ("cosine", 1000, "ddim25"), ("linear", 300, "10,10,10")]:
        base = linear_betas(T) if name == "linear" else cosine_betas(T)
        kept = space_timesteps(T, s)
        t = terms(respaced_betas(base, set(kept)))
        n = len(kept)
        out["respaced"].append({"name": name, "T": T, "spacing": s, "timesteps": [int(x) for x in kept],
                                "values": pick(t, list(range(n)))})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", os.path.normpath(OUT))
    for sp in out["spacings"][:3]:
        print(sp["T"], sp["spacing"], sp["timesteps"][:5])


if __name__ == "__main__":
    main()
