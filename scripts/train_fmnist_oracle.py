#!/usr/bin/python3
"""Train the Fashion-MNIST oracle classifier (fmnist-oracle) on CPU and export it to ONNX; resumable.

The oracle is an independently trained second classifier, used to check whether counterfactual explanations of
the embedded default classifier (fmnist-cnn) are semantic rather than adversarial (OracleAgreement in
ace-metrics). It differs from fmnist-cnn in architecture (a small residual net with batch norm, max pooling and
global average pooling instead of 4 plain convs and two dense layers), framework (PyTorch instead of SameDiff),
seed, optimiser (SGD with Nesterov momentum, weight decay, linear warm-up then cosine decay instead of Adam with
linear decay), loss (label smoothing 0.1) and augmentation (random shifts of up to 2 pixels and horizontal flips
instead of none).

Input convention as fmnist-cnn: [N, 1, 32, 32] float32 in [0, 1] (the 28x28 originals zero-padded by 2);
the model normalises inside ((x - 0.2190) / 0.3318, as Sub and Div nodes of the exported graph).

Export: batch norm is folded into the preceding convolution, so the ONNX graph holds only Sub, Div, Conv, Relu,
MaxPool, Add, GlobalAveragePool, Flatten and Gemm (opset 13, batch axis dynamic), all of which the repository's
ONNX -> SameDiff translator supports.

A checkpoint (model, optimiser, epoch, log, RNG state) is written atomically after every epoch to --ckpt;
rerunning the same command resumes from it. With --export-only, the model in the checkpoint is exported.

Example (about 20 minutes on one thread):
  mkdir -p scripts/checkpoints
  nohup nice -n 5 /usr/bin/python3 scripts/train_fmnist_oracle.py --threads 1 \
      > scripts/checkpoints/oracle-train.log 2>&1 &
"""
import argparse
import hashlib
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist_data import load_images, load_labels  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT_DIR = os.path.join(ROOT, "ace-examples", "src", "main", "resources", "models", "fmnist-oracle")
MEAN, STD = 0.2190, 0.3318


def conv_bn(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout))


class Residual(nn.Module):
    """relu(x + bn(conv(relu(bn(conv(x))))))"""

    def __init__(self, c):
        super().__init__()
        self.a = conv_bn(c, c)
        self.b = conv_bn(c, c)

    def forward(self, x):
        return F.relu(x + self.b(F.relu(self.a(x))))


class OracleNet(nn.Module):
    """32x32 -> stem 32ch, maxpool -> 16x16 residual(32) -> 8x8 64ch, residual(64) -> 4x4 128ch -> GAP -> fc 10."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(MEAN))
        self.register_buffer("std", torch.tensor(STD))
        self.stem = conv_bn(1, 32)
        self.res1 = Residual(32)
        self.down1 = conv_bn(32, 64, 2)
        self.res2 = Residual(64)
        self.down2 = conv_bn(64, 128, 2)
        self.fc = nn.Linear(128, 10)

    def features(self, x):
        """The 128 penultimate values (after global average pooling) of images x in [0, 1]."""
        h = (x - self.mean) / self.std
        h = F.max_pool2d(F.relu(self.stem(h)), 2)
        h = self.res1(h)
        h = self.res2(F.relu(self.down1(h)))
        h = F.relu(self.down2(h))
        return torch.flatten(F.adaptive_avg_pool2d(h, 1), 1)

    def forward(self, x):
        return self.fc(self.features(x))


def fold(seq):
    """Conv (no bias) + BatchNorm (eval statistics) -> one Conv with bias."""
    conv, bn = seq[0], seq[1]
    scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    out = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding, bias=True)
    out.weight.data = conv.weight.detach() * scale.reshape(-1, 1, 1, 1)
    out.bias.data = bn.bias.detach() - bn.running_mean * scale
    return out


class FoldedResidual(Residual):
    """Residual's forward over folded convolutions."""

    def __init__(self, r=None, c=None):
        nn.Module.__init__(self)
        self.a = fold(r.a) if r is not None else nn.Conv2d(c, c, 3, 1, 1)
        self.b = fold(r.b) if r is not None else nn.Conv2d(c, c, 3, 1, 1)


class FoldedOracleNet(OracleNet):
    """The exported form: every batch norm folded into its convolution. Built from a trained OracleNet, or empty
    (net=None) to load an exported model's weights by name (scripts/make_fmnist_oracle_reference.py). OracleNet's
    forward."""

    def __init__(self, net=None):
        nn.Module.__init__(self)
        self.register_buffer("mean", torch.tensor(MEAN))
        self.register_buffer("std", torch.tensor(STD))
        self.stem = fold(net.stem) if net is not None else nn.Conv2d(1, 32, 3, 1, 1)
        self.res1 = FoldedResidual(net.res1 if net is not None else None, 32)
        self.down1 = fold(net.down1) if net is not None else nn.Conv2d(32, 64, 3, 2, 1)
        self.res2 = FoldedResidual(net.res2 if net is not None else None, 64)
        self.down2 = fold(net.down2) if net is not None else nn.Conv2d(64, 128, 3, 2, 1)
        self.fc = nn.Linear(128, 10)
        if net is not None:
            self.fc.load_state_dict(net.fc.state_dict())


def augment(x, gen):
    """Random shift by up to 2 pixels each way (zero fill) and horizontal flip with probability 1/2."""
    n = x.shape[0]
    padded = F.pad(x, (2, 2, 2, 2))
    dy = torch.randint(0, 5, (n,), generator=gen)
    dx = torch.randint(0, 5, (n,), generator=gen)
    out = torch.empty_like(x)
    for i in range(n):
        out[i] = padded[i, :, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
    flip = torch.rand(n, generator=gen) < 0.5
    out[flip] = out[flip].flip(-1)
    return out


@torch.no_grad()
def accuracy(model, x, y, batch=500):
    model.eval()
    correct = 0
    for i in range(0, x.shape[0], batch):
        correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / x.shape[0]


def lr_at(step, total, warmup, peak):
    if step < warmup:
        return peak * (step + 1) / warmup
    return 0.5 * peak * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def export(net, out_dir, x_test, y_test):
    net.eval()
    folded = FoldedOracleNet(net).eval()
    with torch.no_grad():
        probe = x_test[:500]
        diff = (net(probe) - folded(probe)).abs().max().item()
    print("batch-norm folding: max |logit difference| on 500 test images %.2e" % diff, flush=True)
    acc = accuracy(folded, x_test, y_test)
    print("folded model test accuracy %.4f" % acc, flush=True)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "model.onnx")
    torch.onnx.export(folded, torch.zeros(1, 1, 32, 32), path, opset_version=13, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    import onnx
    model = onnx.load(path)
    onnx.checker.check_model(model)
    ops = sorted({n.op_type for n in model.graph.node})
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    params = sum(p.numel() for p in folded.parameters())
    print("wrote %s (%d bytes, sha256 %s), %d parameters after folding, operators %s"
          % (path, os.path.getsize(path), sha, params, ops), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=300, help="linear warm-up iterations")
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=31337)
    ap.add_argument("--log-every", type=int, default=100)
    ap.add_argument("--ckpt", default=os.path.join(ROOT, "scripts", "checkpoints", "fmnist-oracle.pt"))
    ap.add_argument("--out", default=OUT_DIR)
    ap.add_argument("--export-only", action="store_true")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t0 = time.time()
    x_train = torch.from_numpy(load_images("train").astype(np.float32) / 255.0)
    y_train = torch.from_numpy(load_labels("train"))
    x_test = torch.from_numpy(load_images("test").astype(np.float32) / 255.0)
    y_test = torch.from_numpy(load_labels("test"))
    print("data: %d train, %d test images, loaded in %.1fs" % (len(x_train), len(x_test), time.time() - t0),
          flush=True)

    net = OracleNet()
    decay = [p for n, p in net.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in net.named_parameters() if p.ndim <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": args.weight_decay},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=args.lr, momentum=args.momentum, nesterov=True)
    gen = torch.Generator().manual_seed(args.seed)
    epoch, log, elapsed = 0, [], 0.0
    if os.path.exists(args.ckpt):
        ck = torch.load(args.ckpt)
        net.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        gen.set_state(ck["gen"])
        epoch, log, elapsed = ck["epoch"], ck["log"], ck["elapsed"]
        print("resumed from %s after epoch %d (%.0fs of training so far)" % (args.ckpt, epoch, elapsed), flush=True)
    print("parameters: %d (with batch norm)" % sum(p.numel() for p in net.parameters()), flush=True)
    if args.export_only:
        export(net, args.out, x_test, y_test)
        return

    n = x_train.shape[0]
    steps_per_epoch = n // args.batch  # the last partial batch is dropped
    total = steps_per_epoch * args.epochs
    os.makedirs(os.path.dirname(args.ckpt), exist_ok=True)
    while epoch < args.epochs:
        te = time.time()
        net.train()
        perm = torch.randperm(n, generator=gen)
        run_loss, run_n = 0.0, 0
        for i in range(steps_per_epoch):
            step = epoch * steps_per_epoch + i
            for g in opt.param_groups:
                g["lr"] = lr_at(step, total, args.warmup, args.lr)
            idx = perm[i * args.batch:(i + 1) * args.batch]
            xb = augment(x_train[idx], gen)
            loss = F.cross_entropy(net(xb), y_train[idx], label_smoothing=args.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run_loss += loss.item()
            run_n += 1
            if (i + 1) % args.log_every == 0:
                print("epoch %d step %d/%d loss %.4f lr %.4f (%.0fs)"
                      % (epoch + 1, i + 1, steps_per_epoch, run_loss / run_n, opt.param_groups[0]["lr"],
                         elapsed + time.time() - te), flush=True)
                run_loss, run_n = 0.0, 0
        epoch += 1
        acc = accuracy(net, x_test, y_test)
        elapsed += time.time() - te
        log.append({"epoch": epoch, "test_accuracy": acc, "seconds": elapsed})
        print("epoch %d done: test accuracy %.4f, %.0fs of training so far" % (epoch, acc, elapsed), flush=True)
        save_atomic({"model": net.state_dict(), "opt": opt.state_dict(), "gen": gen.get_state(), "epoch": epoch,
                     "log": log, "elapsed": elapsed, "args": vars(args)}, args.ckpt)
    print("test accuracy per epoch: " + ", ".join("%.4f" % e["test_accuracy"] for e in log), flush=True)
    print("training time %.0fs (%dm%02ds)" % (elapsed, elapsed // 60, elapsed % 60), flush=True)
    export(net, args.out, x_test, y_test)


if __name__ == "__main__":
    main()
