#!/usr/bin/python3
"""PyTorch timing of F_tau (S=5, T=500, respacing 50, learned range, stochastic) on the small UNet fixture, the
same workload as the Java FilterTiming main (org.acejvm.diffusion.FilterTiming in ace-diffusion's tests).

Forward (no autograd) and forward+backward (gradient of sum(F(x) * R) w.r.t. x) at batch 1 and 8; median and mean of
--reps timed runs after --warmup runs. Run with the same thread count as the Java side:
  /usr/bin/python3 scripts/time_filter_torch.py --threads 2
Add --arch fmnist to time the full-width (32-channel) Fashion-MNIST architecture with random weights.
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_filter_reference import SMALL_UNET, Schedule, build_unet, ftau  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--arch", default="small", choices=["small", "fmnist"])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    arch = dict(SMALL_UNET) if args.arch == "small" else dict(SMALL_UNET, model_channels=32)
    model = build_unet(arch, 4321)
    for p in model.parameters():
        p.requires_grad_(False)
    sched = Schedule("linear", 500, "50")
    S, C, H, W = 5, 1, 32, 32
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, arch {args.arch} "
          f"(model_channels {arch['model_channels']}), F_tau S={S}")
    for n in [int(b) for b in args.batches.split(",")]:
        g = torch.Generator().manual_seed(0)
        x01 = torch.rand(n, C, H, W, generator=g)
        R = torch.randn(n, C, H, W, generator=g)

        def noises():
            return torch.randn((S, n, C, H, W), generator=g)

        def fwd():
            with torch.no_grad():
                return ftau(model, sched, x01, S, True, noises(), "learned_range", C)

        def fwd_bwd():
            x = x01.clone().requires_grad_(True)
            out = ftau(model, sched, x, S, True, noises(), "learned_range", C)
            (out * R).sum().backward()
            return x.grad

        for name, fn in [("forward", fwd), ("forward+backward", fwd_bwd)]:
            for _ in range(args.warmup):
                fn()
            ts = []
            for _ in range(args.reps):
                t0 = time.perf_counter()
                fn()
                ts.append((time.perf_counter() - t0) * 1000)
            print(f"batch {n} {name}: median {statistics.median(ts):.1f} ms, mean {statistics.mean(ts):.1f} ms, "
                  f"min {min(ts):.1f} ms ({args.reps} runs)")


if __name__ == "__main__":
    main()
