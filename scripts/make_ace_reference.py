#!/usr/bin/python3
"""Independent PyTorch run of ACE (PGD through F_tau, mask, inpainting refinement) for the Java end-to-end test.

Reference behaviour reproduced (the public ACE code: core/attacks_and_models.py, main.py filter_fn, core/utils.py):
  * attack: x' = x; for i < ITERATIONS:
        g = d/dx' [ CE(classifier(F_tau(x')), target) (mean over the batch) + LAMBDA1 * sum|x - x'| ]
        x' = clamp(x' - STEP * sign(g), 0, 1)                          (eps = 1: the projection is a no-op)
    F_tau is the stochastic filter with S = 5 respaced steps (T = 500, respacing 50), fresh noise per iteration.
  * mask: m = sum_c |x - x'|, m /= max(m) per image, max_pool2d(DILATION, stride 1, padding DILATION // 2),
    keep = (dilated < threshold)
  * refinement: ACE's filter_fn with inpainting (make_filter_reference.inpaint, no RePaint jumps).

Models: the small UNet fixture of ace-diffusion (scripts/make_filter_reference.py, seed 4321; this script checks that
the rebuilt network reproduces the committed unet_out.npy) and a tiny conv classifier exported here to ONNX.
Data: the first two Fashion-MNIST test images (1x32x32). All noise is drawn here and committed, in the order the
Java code draws it (NoiseSource.supplied): per attack iteration the filter's q_sample noise then step noises
k = 4..1; then the inpainter's start noise, then per step k = 4..0 the known-region noise and (k > 0) the step noise.

Outputs (ace-refine/src/test/resources/ace_reference/): classifier.onnx, images.npy, targets.npy, and per number of
attack iterations (it10: the 10-iteration comparison, run on request as a slow test; it2: the same run cut at 2
iterations, in the default test suite) noise.npy, pre.npy (pre-explanation), dilated.npy, keep.npy, refined.npy,
noisy_start.npy, losses.npy, settings.json.

Usage: /usr/bin/python3 scripts/make_ace_reference.py
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_filter_reference as ref  # noqa: E402
from fmnist_data import load_images  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "ace-refine", "src", "test", "resources", "ace_reference")
UNET_DIR = os.path.join(ROOT, "ace-diffusion", "src", "test", "resources", "diffusion", "unet")

T, SPACING, S = 500, "50", 5
STEP, LAMBDA1 = 1.0 / 255, 0.001
RUNS = ((10, 0.15), (2, 0.75))  # (attack iterations, mask threshold; after 2 sign steps the normalised difference is 0, 1/2 or 1)
DILATION = 5
N, C, H, W, K = 2, 1, 32, 32, 10


class TinyClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.fc = torch.nn.Linear(16 * 8 * 8, K)

    def forward(self, x):
        h = F.relu(self.conv1(x))
        h = F.relu(self.conv2(h))
        return self.fc(torch.flatten(h, 1))


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    unet = ref.build_unet(ref.SMALL_UNET, 4321)
    for p in unet.parameters():
        p.requires_grad_(False)
    with torch.no_grad():
        check = unet(torch.from_numpy(np.load(os.path.join(UNET_DIR, "unet_x.npy"))),
                     torch.from_numpy(np.load(os.path.join(UNET_DIR, "unet_t.npy"))))
    err = np.abs(check.numpy() - np.load(os.path.join(UNET_DIR, "unet_out.npy"))).max()
    assert err < 1e-5, f"rebuilt UNet differs from the committed fixture by {err}"

    torch.manual_seed(77)
    clf = TinyClassifier().eval()
    for p in clf.parameters():
        p.requires_grad_(False)
    torch.onnx.export(clf, torch.zeros(2, C, H, W), os.path.join(OUT, "classifier.onnx"), opset_version=13,
                      input_names=["images"], output_names=["logits"],
                      dynamic_axes={"images": {0: "N"}, "logits": {0: "N"}})

    x = torch.from_numpy(load_images("t10k")[:N].astype(np.float32) / 255.0)
    with torch.no_grad():
        pred = clf(x).argmax(1)
    target = (pred + 1) % K
    sched = ref.Schedule("linear", T, SPACING)
    g = torch.Generator().manual_seed(2024)
    attack_noise = torch.randn((max(r[0] for r in RUNS), S, N, C, H, W), generator=g)
    refine_noise = torch.randn((1 + 2 * S - 1, N, C, H, W), generator=g)
    save(OUT, "images", x)
    save(OUT, "targets", target.numpy().astype(np.int64))
    for iterations, threshold in RUNS:
        run(os.path.join(OUT, f"it{iterations}"), unet, clf, sched, x, pred, target, iterations, threshold,
            attack_noise[:iterations], refine_noise)


def save(d, name, t):
    np.save(os.path.join(d, name + ".npy"), t.detach().numpy() if torch.is_tensor(t) else t)


def run(out, unet, clf, sched, x, pred, target, iterations, threshold, attack_noise, refine_noise):
    os.makedirs(out, exist_ok=True)
    xa = x.clone()
    losses = []
    for i in range(iterations):
        xa.requires_grad_(True)
        filtered = ref.ftau(unet, sched, xa, S, True, attack_noise[i], "learned_range", C)
        ce = F.cross_entropy(clf(filtered), target)  # mean over the batch
        dist = LAMBDA1 * (x - xa).abs().sum()
        loss = ce + dist
        grad = torch.autograd.grad(loss, xa)[0]
        losses.append(loss.item())
        with torch.no_grad():
            xa = (xa - STEP * grad.sign()).clamp(0, 1)
    pre = xa.detach()

    m = (x - pre).abs().sum(1, keepdim=True)
    m = m / m.view(N, -1).max(1)[0].view(-1, 1, 1, 1)
    dil = F.max_pool2d(m, DILATION, stride=1, padding=(DILATION - 1) // 2)
    keep = (dil < threshold).float()
    with torch.no_grad():
        refined, ts = ref.inpaint(unet, sched, x, pre, keep, S, iter(refine_noise), "learned_range", C)
        noisy = ((ref.q_sample(sched, 2 * pre - 1, S - 1, refine_noise[0]) + 1) / 2).clamp(0, 1)
        p_pre = F.softmax(clf(pre), 1)
        p_ref = F.softmax(clf(refined), 1)
    print(f"{iterations} iterations: losses {[round(v, 5) for v in losses]}")
    print("  pred", pred.tolist(), "target", target.tolist(), "p(target) pre", p_pre[range(N), target].tolist(),
          "refined", p_ref[range(N), target].tolist())
    print("  kept pixels per image", keep.view(N, -1).sum(1).tolist(), "of", H * W,
          "; pixels within 1e-4 of the threshold", int(((dil - threshold).abs() < 1e-4).sum()))
    save(out, "noise", torch.cat([attack_noise.reshape(-1, N, C, H, W), refine_noise]))
    save(out, "pre", pre)
    save(out, "dilated", dil)
    save(out, "keep", keep)
    save(out, "refined", refined)
    save(out, "noisy_start", noisy)
    save(out, "losses", np.array(losses, dtype=np.float64))
    with open(os.path.join(out, "settings.json"), "w") as f:
        json.dump(dict(T=T, spacing=SPACING, S=S, iterations=iterations, step=STEP, lambda1=LAMBDA1,
                       dilation=DILATION, threshold=threshold, batch=N, torch=torch.__version__), f, indent=1)

if __name__ == "__main__":
    main()
