#!/usr/bin/python3
"""Train two Fashion-MNIST classifiers of other families than the embedded one, as a user would bring their own,
and export them to ONNX with a model card: the outside classifiers on which `ace calibrate` then `ace explain` are
checked with the embedded diffusion model (not used by the demo or the tests).

  resnet18-gray  torchvision's ResNet-18 layout (BasicBlock, [2, 2, 2, 2]) with a 1-channel 3x3 stem and stage
                 widths 16/32/64/128 (a quarter of ResNet-18's, to keep the file at a few MB)
  cnn-gap        a small CNN of another design: three conv-BN-ReLU-conv-BN-ReLU-maxpool stages (24/48/96 channels)
                 and global average pooling into one linear layer

Both take [N, 1, 32, 32] in [0, 1] (28x28 zero-padded by 2, as the embedded models) and output 10 logits; no
normalisation. Trained with Adam (lr 2e-3, cosine to 0), batch 128, random shifts of up to 2 pixels, seed 1 / 2.
A checkpoint per model and epoch goes to scripts/checkpoints/; rerunning resumes.

  /usr/bin/python3 scripts/train_outside_classifiers.py --epochs 3 --threads 2
"""
import argparse
import hashlib
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist_data import load_images, load_labels  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def resnet18_gray():
    from torchvision.models.resnet import ResNet, BasicBlock

    class Thin(ResNet):
        def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
            return super()._make_layer(block, planes // 4, blocks, stride, dilate)

    m = Thin(BasicBlock, [2, 2, 2, 2], num_classes=10)
    m.inplanes = 16
    m.conv1 = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
    m.bn1 = nn.BatchNorm2d(16)
    # rebuild the stages for the 16-channel stem
    m.inplanes = 16
    m.layer1 = m._make_layer(BasicBlock, 64, 2)
    m.layer2 = m._make_layer(BasicBlock, 128, 2, stride=2)
    m.layer3 = m._make_layer(BasicBlock, 256, 2, stride=2)
    m.layer4 = m._make_layer(BasicBlock, 512, 2, stride=2)
    m.fc = nn.Linear(128, 10)
    return m


def cnn_gap():
    def stage(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*stage(1, 24), *stage(24, 48), *stage(48, 96), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(96, 10))


MODELS = {"resnet18-gray": (resnet18_gray, 1), "cnn-gap": (cnn_gap, 2)}


def shift(x, gen):
    """Random shifts of up to 2 pixels (zero fill)."""
    n = x.shape[0]
    dx = torch.randint(-2, 3, (n,), generator=gen)
    dy = torch.randint(-2, 3, (n,), generator=gen)
    padded = F.pad(x, (2, 2, 2, 2))
    out = torch.empty_like(x)
    for i in range(n):
        out[i] = padded[i, :, 2 + dy[i]:34 + dy[i], 2 + dx[i]:34 + dx[i]]
    return out


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    return float(sum((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum() for i in range(0, len(x), 1000))) / len(x)


def train(name, epochs, ckpt_dir):
    build, seed = MODELS[name]
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(load_images("train").astype(np.float32) / 255)
    y = torch.from_numpy(load_labels("train"))
    xt = torch.from_numpy(load_images("test").astype(np.float32) / 255)
    yt = torch.from_numpy(load_labels("test"))
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    steps_per_epoch = math.ceil(len(x) / 128)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / (epochs * steps_per_epoch))))
    ckpt = os.path.join(ckpt_dir, name + ".pt")
    start = 0
    if os.path.exists(ckpt):
        state = torch.load(ckpt)
        model.load_state_dict(state["model"]); opt.load_state_dict(state["opt"]); sched.load_state_dict(state["sched"])
        gen.set_state(state["gen"]); start = state["epoch"]
        print("%s: resumed after epoch %d" % (name, start), flush=True)
    for epoch in range(start, epochs):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        for b in range(steps_per_epoch):
            idx = order[b * 128:(b + 1) * 128]
            loss = F.cross_entropy(model(shift(x[idx], gen)), y[idx])
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
        acc = accuracy(model, xt, yt)
        print("%s: epoch %d, loss %.4f, test accuracy %.4f" % (name, epoch + 1, loss.item(), acc), flush=True)
        tmp = ckpt + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "gen": gen.get_state(), "epoch": epoch + 1}, tmp)
        os.replace(tmp, ckpt)
    export(name, model, xt, yt, epochs)


def export(name, model, xt, yt, epochs):
    model.eval()
    acc = accuracy(model, xt, yt)
    out_dir = os.path.join(ROOT, "models", "outside", name)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 32, 32), path, opset_version=13, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
    params = sum(p.numel() for p in model.parameters())
    lines = __doc__.split("\n\n")[1].split("\n")
    start = next(i for i, l in enumerate(lines) if l.strip().startswith(name + " "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("    ")), len(lines))
    doc = "\n".join(l.strip() for l in lines[start:end])
    with open(os.path.join(out_dir, "MODEL_CARD.md"), "w") as f:
        f.write("# %s: an outside Fashion-MNIST classifier\n\n" % name)
        f.write("Made by `scripts/train_outside_classifiers.py` (PyTorch %s on CPU), not by the project's Java "
                "training; used to check `ace calibrate` and `ace explain` on classifiers the embedded default was not "
                "made for.\n\n" % torch.__version__)
        f.write("- Architecture: %s\n" % doc.replace("\n", " "))
        f.write("- Data: Fashion-MNIST (Debian's `dataset-fashion-mnist`), 60,000 training images, zero-padded to 32x32, "
                "values in [0, 1]; input `image` [N, 1, 32, 32], output `logits` [N, 10], no normalisation.\n")
        f.write("- Training: %d epochs, Adam lr 2e-3 with cosine decay, batch 128, random shifts of up to 2 pixels, "
                "seed %d.\n" % (epochs, MODELS[name][1]))
        f.write("- Test accuracy (10,000 test images): **%.2f%%**.\n" % (100 * acc))
        f.write("- Parameters: %d. ONNX opset 13, batch axis dynamic.\n" % params)
        f.write("- SHA-256 of model.onnx: `%s`.\n" % sha)
    print("%s: wrote %s (%d bytes, sha256 %s), test accuracy %.4f" % (name, path, os.path.getsize(path), sha, acc), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", default="resnet18-gray,cnn-gap")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ckpt_dir = os.path.join(ROOT, "scripts", "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)
    for name in args.models.split(","):
        train(name, args.epochs, ckpt_dir)


if __name__ == "__main__":
    main()
