#!/usr/bin/python3
"""PyTorch reference outputs of the shipped Fashion-MNIST classifier (fmnist-cnn v1), for FashionCnnReferenceTest.

Rebuilds the architecture of org.acejvm.examples.models.FashionCnn in PyTorch, loads the shipped weights
(ace-examples/src/main/resources/models/fmnist-cnn/fmnist-cnn.npz: conv weights YXIO, dense weights [in, out]),
and writes logits and the input gradient of sum(logits * upstream) for the first 16 Fashion-MNIST test images to
ace-examples/src/test/resources/fmnist-cnn/torch_reference.npz. Re-run after retraining the shipped model:

    /usr/bin/python3 scripts/make_fmnist_cnn_reference.py
"""
import gzip
import hashlib
import json
import os
import zipfile

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
WEIGHTS = os.environ.get("ACE_WEIGHTS") or os.path.join(ROOT, "ace-examples", "src", "main", "resources", "models",
                                                     "fmnist-cnn", "fmnist-cnn.npz")
OUT = os.environ.get("ACE_OUT") or os.path.join(ROOT, "ace-examples", "src", "test", "resources", "fmnist-cnn",
                                                "torch_reference.npz")
DATA = os.environ.get("ACE_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
N = 16


def load_images(n):
    with gzip.open(os.path.join(DATA, "t10k-images-idx3-ubyte.gz"), "rb") as f:
        raw = f.read(16 + n * 784)
    assert int.from_bytes(raw[:4], "big") == 0x0803
    x = np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, 1, 28, 28).astype(np.float32) / 255.0
    return np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))


def forward(x, w, mean, std):
    def conv(h, name, stride):
        k = torch.from_numpy(w[name + "/W"]).permute(3, 2, 0, 1)  # YXIO -> OIHW
        return F.relu(F.conv2d(h, k, torch.from_numpy(w[name + "/b"]), stride=stride, padding=1))

    h = (x - mean) / std
    h = conv(h, "conv1", 1)
    h = conv(h, "conv2", 2)
    h = conv(h, "conv3", 2)
    h = conv(h, "conv4", 1)
    h = h.reshape(h.shape[0], -1)
    h = F.relu(h @ torch.from_numpy(w["fc1/W"]) + torch.from_numpy(w["fc1/b"]))
    return h @ torch.from_numpy(w["fc2/W"]) + torch.from_numpy(w["fc2/b"])


def main():
    torch.set_num_threads(1)
    with open(WEIGHTS, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    header = json.loads(zipfile.ZipFile(WEIGHTS).read("header.json"))
    assert header["architecture"] == "fmnist-cnn" and header["version"] == 1, header
    with np.load(WEIGHTS) as z:
        w = {k: z[k] for k in z.files if k != "header.json"}
    images = load_images(N)
    upstream = np.random.default_rng(7).standard_normal((N, 10)).astype(np.float32)
    x = torch.from_numpy(images).double().requires_grad_(True)
    wd = {k: v.astype(np.float64) for k, v in w.items()}
    logits = forward(x, wd, header["mean"], header["std"])
    (logits * torch.from_numpy(upstream).double()).sum().backward()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez_compressed(OUT, images=images, upstream=upstream,
                        logits=logits.detach().numpy().astype(np.float32),
                        gradient=x.grad.numpy().astype(np.float32),
                        weights_sha256=np.frombuffer(sha.encode("ascii"), dtype=np.uint8))
    print(f"{OUT}: {N} images, weights sha256 {sha}, predictions {logits.argmax(1).tolist()}, "
          f"{os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
