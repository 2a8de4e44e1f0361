#!/usr/bin/python3
"""Independent PyTorch implementation of the ACE diffusion filter F_tau, for the Java reference tests.

For each case it runs F_tau on committed images with committed noise and writes the output and the gradient of
sum(F_tau(x) * R) with respect to x. The Java DdpmFilter fed the same noise (NoiseSource.supplied) must match.

Models:
  tiny  a hand-built eps model (conv3x3 -> timestep scale 1 + a*sin(t*f) -> SiLU -> conv3x3), mirrored in Java by
        TinyEpsModel (same .npy weights, OIHW; Java permutes them to YXIO).
  unet  the guided-diffusion-style UNet of scripts/ace_torch/unet.py (the shipped Fashion-MNIST architecture at half
        width, random weights), exported to ONNX (ace-diffusion/src/test/resources/diffusion/unet/model.onnx, float
        timesteps, dynamic batch); the Java side loads it with the ONNX translator of ace-core.

Filter semantics (guided-diffusion SpacedDiffusion + p_sample, as the reference ACE code uses them):
  z = sqrt(abar[S-1]) (2x-1) + sqrt(1-abar[S-1]) n_0          (respaced index S-1)
  k = S-1..0: eps, v = model(z, t_k) with t_k the ORIGINAL timestep
              x0 = clamp(sqrt(1/abar) z - sqrt(1/abar-1) eps, -1, 1)
              mean = coef1 x0 + coef2 z
              log var = frac log(beta) + (1-frac) log(post var clipped), frac = (v+1)/2   (learned range)
              z = mean + exp(0.5 log var) n_k  if k > 0 and stochastic, else mean
  out = (z+1)/2
Noise order: n_0 (q_sample), then n_k for k = S-1..1.

Usage: /usr/bin/python3 scripts/make_filter_reference.py [--model tiny|unet|all]
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from diffusion_reference_values import linear_betas, cosine_betas, space_timesteps, respaced_betas, terms  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RES = os.path.join(ROOT, "ace-diffusion", "src", "test", "resources", "diffusion")


class Schedule:
    """Respaced schedule, float64 numpy arrays; coefficients enter torch as float32 like _extract_into_tensor."""

    def __init__(self, name, T, spacing):
        base = linear_betas(T) if name == "linear" else cosine_betas(T)
        self.timestep_map = space_timesteps(T, spacing)
        self.t = terms(respaced_betas(base, set(self.timestep_map)))

    def c(self, key, k):
        return torch.tensor(self.t[key][k], dtype=torch.float32)


class TinyEps(torch.nn.Module):
    def __init__(self, w):
        super().__init__()
        self.w = {k: torch.from_numpy(v) for k, v in w.items()}

    def forward(self, x, t):
        w = self.w
        h = F.conv2d(x, w["w1"], w["b1"], padding=1)
        s = 1 + w["a"][None, :] * torch.sin(t[:, None] * w["f"][None, :])
        h = h * s[:, :, None, None]
        h = h * torch.sigmoid(h)
        return F.conv2d(h, w["w2"], w["b2"], padding=1)


def p_mean_logvar(model, sched, z, k, variance, C):
    """Posterior mean and log variance of one reverse step at respaced index k (guided-diffusion p_mean_variance)."""
    n = z.shape[0]
    t = torch.full((n,), float(sched.timestep_map[k]), dtype=torch.float32)
    out = model(z, t)
    eps = out[:, :C]
    x0 = (sched.c("sqrt_recip_alphas_cumprod", k) * z - sched.c("sqrt_recipm1_alphas_cumprod", k) * eps).clamp(-1, 1)
    mean = sched.c("posterior_mean_coef1", k) * x0 + sched.c("posterior_mean_coef2", k) * z
    if variance == "learned_range":
        frac = (out[:, C:] + 1) / 2
        min_log = sched.c("posterior_log_variance_clipped", k)
        max_log = torch.tensor(np.log(sched.t["betas"][k]), dtype=torch.float32)
        log_var = frac * max_log + (1 - frac) * min_log
    elif variance == "fixed_small":
        log_var = sched.c("posterior_log_variance_clipped", k)
    else:  # fixed_large: log(append(posterior_variance[1], betas[1:]))
        v = sched.t["posterior_variance"][1] if k == 0 else sched.t["betas"][k]
        log_var = torch.tensor(np.log(v), dtype=torch.float32)
    return mean, log_var


def q_sample(sched, x, k, noise):
    return sched.c("sqrt_alphas_cumprod", k) * x + sched.c("sqrt_one_minus_alphas_cumprod", k) * noise


def ftau(model, sched, x01, S, stochastic, noises, variance, C):
    z = q_sample(sched, 2 * x01 - 1, S - 1, noises[0])
    used = 1
    for k in range(S - 1, -1, -1):
        mean, log_var = p_mean_logvar(model, sched, z, k, variance, C)
        if k > 0 and stochastic:
            z = mean + torch.exp(0.5 * log_var) * noises[used]
            used += 1
        else:
            z = mean
    assert used == (S if stochastic else 1)
    return (z + 1) / 2


def get_schedule_jump(t_T, jump_length, jump_n_sample):
    """RePaint's get_schedule_jump (n_sample = 1, no jump2/jump3, resampling from the start)."""
    jumps = {}
    for j in range(0, t_T - jump_length, jump_length):
        jumps[j] = jump_n_sample - 1
    t = t_T
    ts = []
    while t >= 1:
        t = t - 1
        ts.append(t)
        if jumps.get(t, 0) > 0:
            jumps[t] = jumps[t] - 1
            for _ in range(jump_length):
                t = t + 1
                ts.append(t)
    ts.append(-1)
    return ts


def inpaint(model, sched, x01, pre01, keep, S, noises, variance, C, jump_length=1, jump_n_sample=1):
    """ACE refinement: pin kept pixels to q_sample(x, k) before every reverse step; RePaint jumps optional."""
    it = iter(noises)
    x = 2 * x01 - 1
    z = q_sample(sched, 2 * pre01 - 1, S - 1, next(it))
    ts = get_schedule_jump(S, jump_length, jump_n_sample)
    assert ts[0] == S - 1
    for t_last, t_cur in zip(ts[:-1], ts[1:]):
        if t_cur < t_last:
            k = t_last
            z = z * (1 - keep) + keep * q_sample(sched, x, k, next(it))
            mean, log_var = p_mean_logvar(model, sched, z, k, variance, C)
            z = mean + torch.exp(0.5 * log_var) * next(it) if k > 0 else mean
        else:
            b = torch.tensor(sched.t["betas"][t_cur], dtype=torch.float32)
            z = torch.sqrt(1 - b) * z + torch.sqrt(b) * next(it)
    z = z * (1 - keep) + keep * x
    return ((z + 1) / 2).clamp(0, 1), ts


def run_case(model, case, x01, R, out_dir, C, gen):
    sched = Schedule(case["schedule"], case["T"], case["spacing"])
    S = case["S"]
    n = x01.shape[0]
    count = S if case["stochastic"] else 1
    noise = torch.randn((count,) + tuple(x01.shape), generator=gen, dtype=torch.float32)
    x = x01.clone().requires_grad_(True)
    out = ftau(model, sched, x, S, case["stochastic"], noise, case["variance"], C)
    (out * R).sum().backward()
    d = os.path.join(out_dir, case["name"])
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "noise.npy"), noise.numpy())
    np.save(os.path.join(d, "out.npy"), out.detach().numpy())
    np.save(os.path.join(d, "grad.npy"), x.grad.numpy())
    print(f"{case['name']}: timesteps {sched.timestep_map[:S]}, out [{out.min():.4f}, {out.max():.4f}], "
          f"|grad| mean {x.grad.abs().mean():.3e}")


CASES = [
    dict(name="learned_stochastic", variance="learned_range", schedule="linear", T=500, spacing="50", S=5, stochastic=True),
    dict(name="learned_deterministic", variance="learned_range", schedule="linear", T=500, spacing="50", S=5, stochastic=False),
    dict(name="fixed_small_stochastic", variance="fixed_small", schedule="cosine", T=1000, spacing="25", S=4, stochastic=True),
    dict(name="fixed_large_stochastic", variance="fixed_large", schedule="linear", T=1000, spacing="100", S=5, stochastic=True),
]


def tiny(seed=1234):
    out_dir = os.path.join(RES, "tiny")
    os.makedirs(out_dir, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    C, H, W, hidden = 3, 16, 16, 8
    w = {
        "w1": torch.randn(hidden, C, 3, 3, generator=g) * 0.3,
        "b1": torch.randn(hidden, generator=g) * 0.1,
        "a": torch.randn(hidden, generator=g) * 0.5,
        "f": torch.rand(hidden, generator=g) * 0.1,
        "w2": torch.randn(2 * C, hidden, 3, 3, generator=g) * 0.1,
        "b2": torch.randn(2 * C, generator=g) * 0.05,
    }
    w = {k: v.float().numpy() for k, v in w.items()}
    for k, v in w.items():
        np.save(os.path.join(out_dir, k + ".npy"), v)
    x01 = 0.1 + 0.8 * torch.rand(2, C, H, W, generator=g)  # away from the clipping edges
    R = torch.randn(2, C, H, W, generator=g)
    np.save(os.path.join(out_dir, "images.npy"), x01.numpy())
    np.save(os.path.join(out_dir, "upstream.npy"), R.numpy())
    full = TinyEps(w)
    eps_only = TinyEps(dict(w, w2=w["w2"][:C].copy(), b2=w["b2"][:C].copy()))
    for case in CASES:
        model = full if case["variance"] == "learned_range" else eps_only
        run_case(model, case, x01, R, out_dir, C, g)
    pre = (x01 + 0.2 * torch.randn(x01.shape, generator=g)).clamp(0, 1)
    keep = torch.ones(2, 1, H, W)
    keep[0, :, 3:9, 4:12] = 0
    keep[1, :, 8:16, 0:7] = 0
    np.save(os.path.join(out_dir, "pre.npy"), pre.numpy())
    np.save(os.path.join(out_dir, "keep.npy"), keep.numpy())
    sched = Schedule("linear", 500, "50")
    for name, jl, jn in [("inpaint_reference", 1, 1), ("inpaint_repaint", 2, 3)]:
        pool = torch.randn((64,) + tuple(x01.shape), generator=g, dtype=torch.float32)
        counter = [0]

        def draws():
            for i in range(pool.shape[0]):
                counter[0] = i + 1
                yield pool[i]
        with torch.no_grad():
            out, ts = inpaint(full, sched, x01, pre, keep, 5, draws(), "learned_range", C, jl, jn)
        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, "noise.npy"), pool[:counter[0]].numpy())
        np.save(os.path.join(d, "out.npy"), out.numpy())
        print(f"{name}: schedule {ts}, {counter[0]} noise draws, out [{out.min():.4f}, {out.max():.4f}]")


# The small UNet fixture: the architecture of the shipped Fashion-MNIST model (scripts/train_fmnist_diffusion.py)
# at half width (16 channels instead of 32) so that the ONNX file stays under 2 MB; random weights, no zero init.
SMALL_UNET = dict(image_size=32, in_channels=1, model_channels=16, out_channels=1, num_res_blocks=1,
                  attention_resolutions=[4], channel_mult=[1, 2, 2], num_heads=4, num_head_channels=-1,
                  use_scale_shift_norm=True, resblock_updown=True, dropout=0.0, learn_sigma=True, zero_init=False)


def build_unet(arch, seed):
    from ace_torch.unet import UNetModel
    torch.manual_seed(seed)
    return UNetModel(**arch).eval()


def export_onnx(model, path, C, H, W, opset=13):
    x = torch.randn(2, C, H, W)
    t = torch.tensor([3.0, 40.0])
    torch.onnx.export(model, (x, t), path, opset_version=opset, input_names=["x", "timesteps"], output_names=["out"],
                      dynamic_axes={"x": {0: "N"}, "timesteps": {0: "N"}, "out": {0: "N"}})


def unet(seed=4321):
    out_dir = os.path.join(RES, "unet")
    os.makedirs(out_dir, exist_ok=True)
    model = build_unet(SMALL_UNET, seed)
    for p in model.parameters():
        p.requires_grad_(False)
    C, H, W = 1, 32, 32
    path = os.path.join(out_dir, "model.onnx")
    export_onnx(model, path, C, H, W)
    g = torch.Generator().manual_seed(seed)
    # the UNet alone, for diagnosing a translation
    ux = torch.randn(2, C, H, W, generator=g)
    ut = torch.tensor([0.0, 41.0])
    with torch.no_grad():
        uo = model(ux, ut)
    np.save(os.path.join(out_dir, "unet_x.npy"), ux.numpy())
    np.save(os.path.join(out_dir, "unet_t.npy"), ut.numpy())
    np.save(os.path.join(out_dir, "unet_out.npy"), uo.numpy())
    x01 = 0.1 + 0.8 * torch.rand(2, C, H, W, generator=g)
    R = torch.randn(2, C, H, W, generator=g)
    np.save(os.path.join(out_dir, "images.npy"), x01.numpy())
    np.save(os.path.join(out_dir, "upstream.npy"), R.numpy())
    for case in CASES[:2]:
        run_case(model, case, x01, R, out_dir, C, g)
    print("UNet fixture", path, os.path.getsize(path), "bytes")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="tiny", choices=["tiny", "unet", "all"])
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.model in ("tiny", "all"):
        tiny()
    if args.model in ("unet", "all"):
        unet()


if __name__ == "__main__":
    main()
