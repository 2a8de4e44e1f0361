#!/usr/bin/python3
"""Compares Fashion-MNIST diffusion models by what ACE needs from them, judged by the independent oracle.

For each model (an exported ONNX file, or the EMA weights of a training checkpoint):
  denoising  MSE of the x0 prediction on the first --n test images at t = 10, 25, 50, 100, 200 (fresh noise, seed 7;
             [-1, 1] scale), as in the model card
  filter     the diffusion filter F_tau of ACE (noise to respaced step S - 1 of 50, then S learned-variance steps
             back; the Java DdpmFilter's semantics) on the first --n test images for S = 5 and 10: the share that the
             oracle (models/fmnist-oracle) still gives the true label, against its accuracy on the images
             themselves, and the mean |F_tau(x) - x|. A filter that keeps the class is what lets ACE run deep filters
  samples    Frechet distance between the oracle's 128 penultimate features of --samples samples from pure noise
             (50 respaced learned-variance steps, torch seed 0) and of the first 1,000 test images

Usage:
  /usr/bin/python3 scripts/ddpm_quality.py --onnx ace-examples/src/main/resources/models/fmnist-ddpm/model.onnx \
      [--ckpt scripts/checkpoints/fmnist_ddpm.pt] [--threads 1] [--n 500] [--samples 500]
Prints one Markdown table per measure, a column per model.
"""
import argparse
import os
import sys
import time

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ace_torch.diffusion import Diffusion  # noqa: E402
from bench_models import load_unet_from_onnx  # noqa: E402
from export_fmnist_diffusion import denoising_errors, load_ema  # noqa: E402
from fmnist_data import load_images, load_labels, to_model_range  # noqa: E402
from make_fmnist_oracle_reference import weights_from_onnx  # noqa: E402
from train_fmnist_diffusion import DEFAULT_ARCH  # noqa: E402
from train_fmnist_oracle import FoldedOracleNet  # noqa: E402

ROOT = os.path.dirname(HERE)
ORACLE = os.path.join(ROOT, "ace-examples", "src", "main", "resources", "models", "fmnist-oracle", "model.onnx")
T, K = 500, 50


def load_models(args):
    models = []
    for path in args.onnx or []:
        model, _ = load_unet_from_onnx(path, DEFAULT_ARCH, 1, 32)
        models.append((os.path.relpath(path, ROOT), model.eval()))
    for path in args.ckpt or []:
        model, ck = load_ema(path)
        models.append(("%s (step %d)" % (os.path.basename(path), ck["step"]), model))
    return models


class Oracle:
    def __init__(self):
        self.net = FoldedOracleNet().eval()
        state = {k: v.float() for k, v in weights_from_onnx(onnx.load(ORACLE)).items()}
        self.net.load_state_dict(state, strict=True)

    @torch.no_grad()
    def features_and_logits(self, x01):
        """x in [0, 1], [N, 1, 32, 32] -> (features [N, 128], logits [N, 10])."""
        f = self.net.features(x01)
        return f, self.net.fc(f)


def batched(fn, *xs, size=100):
    """fn over slices of `size` rows of the tensors xs, its outputs (a tensor or a tuple of them) concatenated."""
    outs = [fn(*(x[i:i + size] for x in xs)) for i in range(0, len(xs[0]), size)]
    return tuple(torch.cat(o) for o in zip(*outs)) if isinstance(outs[0], tuple) else torch.cat(outs)


def frechet(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    c1, c2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # trace of sqrt(c1 c2) from the eigenvalues of sqrt(c1) c2 sqrt(c1) (symmetric, so eigh is stable)
    w, v = np.linalg.eigh(c1)
    s1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = s1 @ c2 @ s1
    tr = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(c1) + np.trace(c2) - 2 * tr)


def denoising(model, x0, ts):
    """MSE of the x0 prediction per t, with the model card's noise (seed 7)."""
    return [r[0] for r in denoising_errors(model, Diffusion.linear(T), x0, ts, torch.Generator().manual_seed(7))]


@torch.no_grad()
def filtered(model, x0, steps, seed):
    """F_tau of the [-1, 1] images x0 with S = steps respaced steps; returns [0, 1] images."""
    d = Diffusion.respaced(T, K)
    g = torch.Generator().manual_seed(seed)
    n = len(x0)
    z = d.q_sample(x0, torch.full((n,), steps - 1, dtype=torch.int64), torch.randn(x0.shape, generator=g))
    for k in reversed(range(steps)):
        t = torch.full((n,), k, dtype=torch.int64)
        out = batched(model, z, d.model_t(t))
        mean, logvar, _, _ = d.p_mean_variance(out, z, t, clip=True)
        z = mean + torch.exp(0.5 * logvar) * torch.randn(z.shape, generator=g) if k > 0 else mean
    return ((z + 1) / 2).clamp(0, 1)


@torch.no_grad()
def samples(model, n, steps=K):
    d = Diffusion.respaced(T, steps)
    g = torch.Generator().manual_seed(0)
    return ((d.sample(lambda x, t: batched(model, x, t), (n, 1, 32, 32), generator=g) + 1) / 2).clamp(0, 1)


def table(title, header, rows):
    print("\n%s\n\n| %s |\n|%s|" % (title, " | ".join(header), "|".join(["---"] + ["---:"] * (len(header) - 1))))
    for r in rows:
        print("| " + " | ".join(r) + " |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--onnx", action="append", help="an exported UNet (repeatable)")
    p.add_argument("--ckpt", action="append", help="a training checkpoint; its EMA weights (repeatable)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--n", type=int, default=500, help="test images for the denoising and filter measures")
    p.add_argument("--samples", type=int, default=500, help="samples for the Frechet distance (0: skip)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    models = load_models(args)
    if not models:
        p.error("give at least one --onnx or --ckpt")
    oracle = Oracle()
    test = load_images("test")
    labels = torch.from_numpy(load_labels("test").astype(np.int64))
    x01 = torch.from_numpy(test[:args.n].astype(np.float32) / 255.0)
    x0 = torch.from_numpy(to_model_range(test[:args.n]))
    y = labels[:args.n]
    _, logits = batched(oracle.features_and_logits, x01)
    base_acc = float((logits.argmax(1) == y).float().mean())
    ts = [10, 25, 50, 100, 200]
    den, filt, fd = {}, {}, {}
    for name, model in models:
        t0 = time.time()
        den[name] = denoising(model, x0, ts)
        filt[name] = []
        for steps in (5, 10):
            fx = filtered(model, x0, steps, seed=11)
            _, lg = batched(oracle.features_and_logits, fx)
            filt[name].append((float((lg.argmax(1) == y).float().mean()), float((fx - x01).abs().mean())))
        if args.samples:
            real, _ = batched(oracle.features_and_logits,
                              torch.from_numpy(test[:1000].astype(np.float32) / 255.0))
            fake, _ = batched(oracle.features_and_logits, samples(model, args.samples))
            fd[name] = frechet(fake.double().numpy(), real.double().numpy())
        print("%s: %.0f s" % (name, time.time() - t0), file=sys.stderr, flush=True)
    names = [n for n, _ in models]
    table("Denoising: MSE of the x0 prediction ([-1, 1] scale) on %d test images" % args.n, ["t"] + names,
          [[str(t)] + ["%.5f" % den[n][i] for n in names] for i, t in enumerate(ts)])
    table("Filter: oracle accuracy on F_tau(x) (on x itself: %.1f%%) and mean |F_tau(x) - x|, %d test images"
          % (100 * base_acc, args.n), ["S (of 50)"] + names,
          [[str(s)] + ["%.1f%%, %.4f" % (100 * filt[n][i][0], filt[n][i][1]) for n in names]
           for i, s in enumerate((5, 10))])
    if args.samples:
        table("Samples: Frechet distance on the oracle's features, %d samples (50 steps) vs 1,000 test images"
              % args.samples, ["measure"] + names, [["FD"] + ["%.3f" % fd[n] for n in names]])


if __name__ == "__main__":
    main()
