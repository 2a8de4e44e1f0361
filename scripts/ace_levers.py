#!/usr/bin/python3
"""Fast PyTorch stand-in for `ace evaluate --methods ACE-l1` on the embedded default, to screen levers of issue
"counterfactuals a person can read" before building them in Java. Not a reference: it draws its own noise, so its
counterfactuals differ from Java's image by image; only the rates are comparable.

What it runs (the Java pipeline's semantics, org.acejvm.refine.Explainer with the embedded preset):
  * images: the first --count correctly classified test images after a shuffle with --seed; target = runner-up class
  * attack: x' = x; per iteration the gradient of L(cnn(F_tau(x')), target) / 16 + lambda1 * |x - x'|_1, averaged
    over --draws noise draws of the filter F_tau (S = --filter-steps respaced steps of 50, T = 500); PGD sign step
    (--attack pgd) or a step along the gradient scaled to --step per pixel in RMS (--attack gd); clamp to [0, 1].
    L (--loss): ce (cross-entropy), logit (minus the target's logit) or hinge (max(max_other z - z_t, -kappa), the
    Java margin:KAPPA). Transfer-attack options: --shift (random translation per draw), --blur (Gaussian smoothing of
    the gradient), --momentum (MI-FGSM)
  * mask: |x - x'| / max, max-pooled over --dilation, keep = below --threshold
  * refinement: inpainting from --inpaint-steps respaced steps (known pixels pinned to q_sample(x))
Reports the flip rate of the shipped classifier on the refined images, the oracle's agreement on the flipped ones,
the oracle's mean p(target), the mean |x'' - x| and the mask area.

--pre refines the attacks a Java run stored (the refinement levers alone: --dilation, --threshold,
--inpaint-steps, --resample for RePaint's resampling, --best-of K inpainting draws of which the shipped classifier's
most confident one is kept), seconds per hundred images.

Prints one JSON line (settings and results); --save keeps the images for a look. About 17 s per image on one thread
at the embedded default (32 images: 9 minutes).

Usage: /usr/bin/python3 scripts/ace_levers.py --count 32 --threads 1 [--seed 0] [--loss hinge --kappa 10] ...
"""
import argparse
import json
import os
import sys
import time
import zipfile

import numpy as np
import onnx
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ace_torch.diffusion import Diffusion  # noqa: E402
from bench_models import load_unet_from_onnx  # noqa: E402
from fmnist_data import load_images, load_labels  # noqa: E402
from make_fmnist_cnn_reference import WEIGHTS, forward  # noqa: E402
from make_fmnist_oracle_reference import weights_from_onnx  # noqa: E402
from train_fmnist_diffusion import DEFAULT_ARCH  # noqa: E402
from train_fmnist_oracle import FoldedOracleNet  # noqa: E402

ROOT = os.path.dirname(HERE)
MODELS = os.path.join(ROOT, "ace-examples", "src", "main", "resources", "models")
T, K = 500, 50


def load_cnn():
    header = json.loads(zipfile.ZipFile(WEIGHTS).read("header.json"))
    with np.load(WEIGHTS) as z:
        w = {k: z[k] for k in z.files if k != "header.json"}
    return lambda x: forward(x, w, header["mean"], header["std"])


def load_oracle():
    net = FoldedOracleNet().eval()
    net.load_state_dict({k: v.float() for k, v in weights_from_onnx(
        onnx.load(os.path.join(MODELS, "fmnist-oracle", "model.onnx"))).items()}, strict=True)
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def select(cnn, count, seed):
    """The first `count` correctly classified test images after a seeded shuffle, with runner-up targets."""
    x = load_images("t10k").astype(np.float32) / 255.0
    y = load_labels("t10k")
    order = np.random.default_rng(seed).permutation(len(x))
    xs, ys, ts = [], [], []
    for i in range(0, len(order), 256):
        idx = order[i:i + 256]
        xb = torch.from_numpy(x[idx].reshape(-1, 1, 32, 32))
        with torch.no_grad():
            p = F.softmax(cnn(xb), 1)
        top2 = p.topk(2, 1).indices
        for j, k in enumerate(idx):
            if top2[j, 0].item() == y[k] and len(xs) < count:
                xs.append(xb[j])
                ys.append(int(y[k]))
                ts.append(int(top2[j, 1]))
        if len(xs) >= count:
            break
    return torch.stack(xs), torch.tensor(ys), torch.tensor(ts)


class Pipeline:
    def __init__(self, unet, cnn, args, gen):
        self.unet, self.cnn, self.a, self.g = unet, cnn, args, gen
        self.d = Diffusion.respaced(T, K)

    def step(self, z, k, noise=True):
        n = len(z)
        t = torch.full((n,), k, dtype=torch.int64)
        mean, logvar, x0, _ = self.d.p_mean_variance(self.unet(z, self.d.model_t(t)), z, t, clip=True)
        if k > 0 and noise:
            return mean + torch.exp(0.5 * logvar) * torch.randn(z.shape, generator=self.g)
        return mean

    def filter(self, x01, steps):
        n = len(x01)
        z = self.d.q_sample(2 * x01 - 1, torch.full((n,), steps - 1, dtype=torch.int64),
                            torch.randn(x01.shape, generator=self.g))
        for k in reversed(range(steps)):
            z = self.step(z, k)
        return (z + 1) / 2

    def shifted(self, x):
        """x translated by a random whole number of pixels in [-shift, shift] per image and axis, zero fill."""
        s = self.a.shift
        out = []
        for img in x:
            dy, dx = (torch.randint(-s, s + 1, (2,), generator=self.g)).tolist()
            p = F.pad(img[None], (s, s, s, s))
            out.append(p[:, :, s - dy:s - dy + x.shape[2], s - dx:s - dx + x.shape[3]])
        return torch.cat(out)

    def blur(self, g):
        sigma = self.a.blur
        r = max(1, int(round(2 * sigma)))
        k = torch.exp(-torch.arange(-r, r + 1, dtype=torch.float32) ** 2 / (2 * sigma * sigma))
        k = k / k.sum()
        g = F.conv2d(g, k.view(1, 1, 1, -1), padding=(0, r))
        return F.conv2d(g, k.view(1, 1, -1, 1), padding=(r, 0))

    def attack(self, x, target):
        a = self.a
        xa = x.clone()
        onehot = F.one_hot(target, 10).float()
        velocity = torch.zeros_like(x)
        for it in range(a.steps):
            grad = torch.zeros_like(x)
            for _ in range(a.draws):
                xv = xa.clone().requires_grad_(True)
                xin = self.shifted(xv) if a.shift > 0 else xv
                logits = self.cnn(self.filter(xin, a.filter_steps))
                logp = F.log_softmax(logits, 1)
                if a.loss == "ce":
                    cls = -(logp * onehot).sum(1)
                elif a.loss == "logit":  # the target's logit alone: does not saturate once the target leads
                    cls = -(logits * onehot).sum(1)
                else:  # hinge on logits with confidence kappa
                    zt = (logits * onehot).sum(1)
                    other = (logits - 1e9 * onehot).max(1).values
                    cls = F.relu(other - zt + a.kappa) - a.kappa
                loss = cls.sum() / 16 + a.lambda1 * (x - xv).abs().sum()
                grad += torch.autograd.grad(loss, xv)[0] / a.draws
            with torch.no_grad():
                if a.blur > 0:
                    grad = self.blur(grad)
                if a.momentum > 0:
                    velocity = a.momentum * velocity + grad / grad.abs().mean((1, 2, 3), keepdim=True).clamp_min(1e-12)
                    grad = velocity
                if a.attack == "pgd":
                    delta = a.step * grad.sign()
                else:
                    rms = grad.pow(2).mean((1, 2, 3), keepdim=True).sqrt().clamp_min(1e-12)
                    delta = a.step * grad / rms
                xa = (xa - delta).clamp(0, 1)
        return xa

    @torch.no_grad()
    def refine(self, x, pre):
        a = self.a
        m = (x - pre).abs().sum(1, keepdim=True)
        m = m / m.flatten(1).max(1).values.clamp_min(1e-12).view(-1, 1, 1, 1)
        dil = F.max_pool2d(m, a.dilation, stride=1, padding=a.dilation // 2)
        keep = (dil < a.threshold).float()
        s = a.inpaint_steps
        n = len(x)
        xm = 2 * x - 1
        z = self.d.q_sample(2 * pre - 1, torch.full((n,), s - 1, dtype=torch.int64),
                            torch.randn(x.shape, generator=self.g))
        for k in reversed(range(s)):
            for r in range(a.resample):
                known = self.d.q_sample(xm, torch.full((n,), k, dtype=torch.int64), torch.randn(x.shape, generator=self.g))
                z = self.step(z * (1 - keep) + keep * known, k)
                if r < a.resample - 1 and k > 0:  # RePaint: noise back by one respaced step and take it again
                    beta = float(self.d.betas[k])
                    z = (1 - beta) ** 0.5 * z + beta ** 0.5 * torch.randn(x.shape, generator=self.g)
        z = z * (1 - keep) + keep * xm
        return ((z + 1) / 2).clamp(0, 1), 1 - keep


def load_stored(path, count):
    """The first `count` stored attacks of a Java run: originals, labels, targets and pre-explanations."""
    with open(path) as f:
        rows = [json.loads(line) for line in f.read().splitlines()[:count]]
    ids = [r["sampleId"] for r in rows]
    x = torch.from_numpy(load_images("t10k")[ids].astype(np.float32) / 255.0)
    y = torch.from_numpy(load_labels("t10k")[ids])
    tgt = torch.tensor([r["target"] for r in rows])
    pre = torch.tensor(np.array([r["preExplanation"]["data"] for r in rows], dtype=np.float32)).view(x.shape)
    return x, y, tgt, pre


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--step", type=float, default=4 / 255)
    ap.add_argument("--lambda1", type=float, default=0.001)
    ap.add_argument("--attack", choices=["pgd", "gd"], default="pgd")
    ap.add_argument("--loss", choices=["ce", "logit", "hinge"], default="ce")
    ap.add_argument("--kappa", type=float, default=5.0)
    ap.add_argument("--draws", type=int, default=2)
    ap.add_argument("--shift", type=int, default=0, help="random translation of the attacked image per draw (px)")
    ap.add_argument("--blur", type=float, default=0, help="Gaussian sigma (px) the gradient is smoothed with")
    ap.add_argument("--momentum", type=float, default=0, help="MI-FGSM momentum of the l1-normalised gradient")
    ap.add_argument("--filter-steps", type=int, default=10)
    ap.add_argument("--dilation", type=int, default=5)
    ap.add_argument("--threshold", type=float, default=0.15)
    ap.add_argument("--inpaint-steps", type=int, default=4)
    ap.add_argument("--resample", type=int, default=1, help="RePaint: takes of each inpainting step (1: none)")
    ap.add_argument("--best-of", type=int, default=1,
                    help="inpainting draws per image; keeps the one with the shipped classifier's highest p(target)")
    ap.add_argument("--pre", help="refine the stored attacks of a Java run (<out>/evaluate/Pre-CE/results.jsonl, "
                    "its first --count) instead of attacking")
    ap.add_argument("--save", help="write x, pre, refined, mask, labels to this .npz")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    unet, _ = load_unet_from_onnx(os.path.join(MODELS, "fmnist-ddpm", "model.onnx"), DEFAULT_ARCH, 1, 32)
    unet.eval()
    for p in unet.parameters():
        p.requires_grad_(False)
    cnn, oracle = load_cnn(), load_oracle()
    if a.pre:
        x, y, tgt, stored = load_stored(a.pre, a.count)
    else:
        x, y, tgt = select(cnn, a.count, a.seed)
    gen = torch.Generator().manual_seed(a.seed + 1000)
    pipe = Pipeline(unet, cnn, a, gen)
    t0 = time.time()
    pres, refs, masks = [], [], []
    for i in range(0, len(x), a.batch):
        xb, tb = x[i:i + a.batch], tgt[i:i + a.batch]
        pre = stored[i:i + a.batch] if a.pre else pipe.attack(xb, tb)
        ref, mask = pipe.refine(xb, pre)
        with torch.no_grad():  # --best-of: the inpainting draw the shipped classifier finds most like the target
            p_best = F.softmax(cnn(ref), 1)[range(len(xb)), tb]
            for _ in range(a.best_of - 1):
                other, _ = pipe.refine(xb, pre)
                p = F.softmax(cnn(other), 1)[range(len(xb)), tb]
                ref = torch.where((p > p_best).view(-1, 1, 1, 1), other, ref)
                p_best = torch.maximum(p, p_best)
        pres.append(pre)
        refs.append(ref)
        masks.append(mask)
        print(f"  {i + len(pre)}/{len(x)} images, {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    pre, ref, mask = torch.cat(pres), torch.cat(refs), torch.cat(masks)
    with torch.no_grad():
        flip = cnn(ref).argmax(1) == tgt
        flip_pre = cnn(pre).argmax(1) == tgt
        po = F.softmax(oracle(ref), 1)
        po0 = F.softmax(oracle(x), 1)
    agree = (po.argmax(1) == tgt) & flip
    n = len(x)
    rows = dict(images=n, fr=flip.float().mean().item(), fr_pre=flip_pre.float().mean().item(),
                oracle=f"{agree.sum().item()}/{flip.sum().item()}",
                oracle_rate=agree.sum().item() / max(1, flip.sum().item()),
                oracle_p_before=po0[range(n), tgt].mean().item(), oracle_p_after=po[range(n), tgt][flip].mean().item(),
                l1=(ref - x).abs().mean().item(), mask_area=mask.mean().item(), seconds_per_image=(time.time() - t0) / n)
    print(json.dumps({**{k: v for k, v in vars(a).items() if k not in ("save",)}, **rows}))
    if a.save:
        np.savez_compressed(a.save, x=x.numpy(), pre=pre.numpy(), refined=ref.numpy(), mask=mask.numpy(),
                            label=y.numpy(), target=tgt.numpy(), flip=flip.numpy(), agree=agree.numpy())


if __name__ == "__main__":
    main()
