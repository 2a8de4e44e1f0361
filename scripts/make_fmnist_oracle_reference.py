#!/usr/bin/python3
"""PyTorch reference logits of the shipped oracle classifier (fmnist-oracle), for FashionOracleTest.

Loads the weights of ace-examples/src/main/resources/models/fmnist-oracle/model.onnx into the folded PyTorch
module of scripts/train_fmnist_oracle.py (Conv nodes in graph order -> stem, res1.a, res1.b, down1, res2.a, res2.b,
down2; Gemm -> fc; the Sub/Div constants -> mean/std), runs it in float64 on the first 16 Fashion-MNIST test images
and writes images, logits and the ONNX file's SHA-256 to ace-examples/src/test/resources/fmnist-oracle/
torch_reference.npz. Re-run after retraining the oracle:

    /usr/bin/python3 scripts/make_fmnist_oracle_reference.py
"""
import hashlib
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist_data import load_images, load_labels  # noqa: E402
from train_fmnist_oracle import OUT_DIR, FoldedOracleNet  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MODEL = os.environ.get("ACE_MODEL") or os.path.join(OUT_DIR, "model.onnx")
OUT = os.environ.get("ACE_OUT") or os.path.join(ROOT, "ace-examples", "src", "test", "resources", "fmnist-oracle",
                                                "torch_reference.npz")
N = 16
CONVS = ["stem", "res1.a", "res1.b", "down1", "res2.a", "res2.b", "down2"]


def weights_from_onnx(model):
    """state_dict of FoldedOracleNet from the graph (resolving Identity aliases that the exporter adds for
    initializers with equal values)."""
    values = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    for n in model.graph.node:
        if n.op_type == "Identity" and n.input[0] in values:
            values[n.output[0]] = values[n.input[0]]
    state, convs = {}, [n for n in model.graph.node if n.op_type == "Conv"]
    assert len(convs) == len(CONVS), [n.name for n in convs]
    for name, node in zip(CONVS, convs):
        state[name + ".weight"] = values[node.input[1]]
        state[name + ".bias"] = values[node.input[2]]
    gemm = [n for n in model.graph.node if n.op_type == "Gemm"]
    assert len(gemm) == 1
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in gemm[0].attribute}
    assert attrs.get("transB", 0) == 1 and attrs.get("transA", 0) == 0, attrs
    state["fc.weight"] = values[gemm[0].input[1]]
    state["fc.bias"] = values[gemm[0].input[2]]
    sub = [n for n in model.graph.node if n.op_type == "Sub"]
    div = [n for n in model.graph.node if n.op_type == "Div"]
    state["mean"] = values[sub[0].input[1]]
    state["std"] = values[div[0].input[1]]
    return {k: torch.from_numpy(np.array(v, dtype=np.float64)) for k, v in state.items()}


def main():
    torch.set_num_threads(1)
    with open(MODEL, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    net = FoldedOracleNet().double().eval()
    net.load_state_dict(weights_from_onnx(onnx.load(MODEL)), strict=True)
    images = (load_images("test")[:N].astype(np.float32) / 255.0)
    labels = load_labels("test")[:N]
    with torch.no_grad():
        logits = net(torch.from_numpy(images).double()).numpy()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez_compressed(OUT, images=images, logits=logits, labels=labels.astype(np.int32),
                        model_sha256=np.frombuffer(sha.encode("ascii"), dtype=np.uint8))
    pred = logits.argmax(1)
    print(f"{OUT}: {N} images, model sha256 {sha}, predictions {pred.tolist()} "
          f"({(pred == labels).sum()}/{N} correct), max |logit| {np.abs(logits).max():.3f}, "
          f"{os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
