"""PyTorch twins of the benchmark models, loaded from the SAME ONNX files the Java side loads.

UNets: scripts/ace_torch/unet.py's UNetModel (guided-diffusion layout) with the architecture of the ONNX file; the
ONNX initializers are mapped onto its state dict. Most initializers keep their PyTorch names; the rest (GroupNorm
scales and shifts that the exporter turned into Mul/Add constants, "onnx::Mul_1280") are identified by exporting
the same architecture once with every parameter set to a unique marker value and reading back which marker each
anonymous initializer holds. Every parameter must be found exactly once, or loading fails.

Classifiers: the shipped Fashion-MNIST CNN (fmnist-cnn.npz, the functional forward of make_fmnist_cnn_reference.py)
and the small CelebA-size CNN of benchmarks/src/main/resources/bench/celeba_cnn.onnx (made by make_bench_cnn()).
"""
import io
import json
import os
import sys
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from ace_torch.unet import UNetModel, resolutions_to_factors  # noqa: E402

FMNIST_UNET = os.path.join(ROOT, "ace-examples", "src", "main", "resources", "models", "fmnist-ddpm", "model.onnx")
FMNIST_CNN = os.path.join(ROOT, "ace-examples", "src", "main", "resources", "models", "fmnist-cnn", "fmnist-cnn.npz")
CELEBA_UNET = os.path.join(ROOT, "ace-core", "src", "test", "resources", "onnx", "unet_celeba", "model.onnx")
CELEBA_CNN = os.path.join(ROOT, "benchmarks", "src", "main", "resources", "bench", "celeba_cnn.onnx")

# The shipped model's arch (its MODEL_CARD.md) and the unet_celeba fixture's (scripts/make_onnx_fixtures.py).
FMNIST_ARCH = dict(image_size=32, in_channels=1, model_channels=32, out_channels=1, num_res_blocks=1,
                   attention_resolutions=[4], channel_mult=[1, 2, 2], dropout=0.0, learn_sigma=True,
                   num_head_channels=-1, num_heads=4, resblock_updown=True, use_scale_shift_norm=True)
CELEBA_ARCH = dict(image_size=128, in_channels=3, model_channels=24, num_res_blocks=2,
                   attention_resolutions=resolutions_to_factors(128, (32, 16, 8)), channel_mult=(1, 1, 2, 3, 4),
                   num_heads=4, use_scale_shift_norm=True, resblock_updown=True, learn_sigma=True, zero_init=False)

MODELS = {
    # name: (unet onnx, arch, channels, size, timestep dtype)
    "fmnist": (FMNIST_UNET, FMNIST_ARCH, 1, 32),
    "celeba": (CELEBA_UNET, CELEBA_ARCH, 3, 128),
}


def _export(model, c, size, t_dtype):
    buf = io.BytesIO()
    x = torch.zeros(2, c, size, size)
    t = torch.zeros(2, dtype=t_dtype)
    torch.onnx.export(model, (x, t), buf, opset_version=13, input_names=["x", "timesteps"], output_names=["out"],
                      do_constant_folding=True, dynamic_axes={"x": {0: "N"}, "timesteps": {0: "N"}, "out": {0: "N"}},
                      training=torch.onnx.TrainingMode.EVAL)
    import onnx
    return onnx.load_from_string(buf.getvalue())


def load_unet(name):
    """UNetModel with the weights of the ONNX file of benchmark model `name`; eval mode, no parameter grads."""
    path, arch, c, size = MODELS[name]
    return load_unet_from_onnx(path, arch, c, size)


def load_unet_from_onnx(path, arch, c, size):
    """UNetModel(**arch) with the weights of the ONNX file `path` (exported from that architecture)."""
    import onnx
    from onnx import numpy_helper
    proto = onnx.load(path)
    t_type = proto.graph.input[1].type.tensor_type.elem_type
    t_dtype = torch.int64 if t_type == onnx.TensorProto.INT64 else torch.float32
    inits = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    model = UNetModel(**arch).eval()
    state = model.state_dict()
    params = list(state.keys())
    # marker export: parameter i holds the constant i + 1
    with torch.no_grad():
        for i, k in enumerate(params):
            state[k].fill_(float(i + 1))
    marker = _export(model, c, size, t_dtype)
    marker_inits = {i.name: numpy_helper.to_array(i) for i in marker.graph.initializer}

    def marker_of(name):
        a = marker_inits.get(name)
        if a is None or not a.size or not np.all(a == a.flat[0]):
            return None
        v = float(a.flat[0])
        return int(v) - 1 if v.is_integer() and 1 <= v <= len(params) else None

    # the two exports have the same nodes in the same order; the original may share one initializer between
    # parameters of equal value (the exporter deduplicates them: Identity nodes on one initializer), so resolve
    # Identity nodes and match by position: node i, input j
    alias = {n.output[0]: n.input[0] for n in proto.graph.node if n.op_type == "Identity" and n.input[0] in inits}
    nodes = [n for n in proto.graph.node if n.output[0] not in alias]
    if len(marker.graph.node) != len(nodes):
        raise RuntimeError(f"{path}: {len(nodes)} nodes, the re-export of the architecture has "
                           f"{len(marker.graph.node)}")
    source = {}
    for mn, on in zip(marker.graph.node, nodes):
        if mn.op_type != on.op_type or len(mn.input) != len(on.input):
            raise RuntimeError(f"{path}: node {on.name} ({on.op_type}) differs from the re-export ({mn.op_type})")
        for a, b in zip(mn.input, on.input):
            b = alias.get(b, b)
            i = marker_of(a)
            if i is not None and b in inits:
                if source.setdefault(i, b) != b and not np.array_equal(inits[source[i]], inits[b]):
                    raise RuntimeError(f"{path}: parameter {params[i]} maps to {source[i]} and {b}")
    new_state = {}
    for i, k in enumerate(params):
        numel = state[k].numel()
        if k in inits and inits[k].size == numel:
            src = inits[k]
        elif i in source and inits[source[i]].size == numel:
            src = inits[source[i]]
        else:
            raise RuntimeError(f"{path}: parameter {k} not found among the ONNX initializers")
        new_state[k] = torch.from_numpy(np.ascontiguousarray(src).reshape(state[k].shape).astype(np.float32))
    model.load_state_dict(new_state)
    for p in model.parameters():
        p.requires_grad_(False)
    return model, t_dtype


class FashionCnn(nn.Module):
    """The shipped Fashion-MNIST classifier (trained in Java), from its .npz (YXIO conv weights)."""

    def __init__(self, path=FMNIST_CNN):
        super().__init__()
        header = json.loads(zipfile.ZipFile(path).read("header.json"))
        with np.load(path) as z:
            w = {k: torch.from_numpy(z[k].astype(np.float32)) for k in z.files if k != "header.json"}
        self.mean, self.std = float(header["mean"]), float(header["std"])
        self.convs = [(w[n + "/W"].permute(3, 2, 0, 1).contiguous(), w[n + "/b"], s)
                      for n, s in (("conv1", 1), ("conv2", 2), ("conv3", 2), ("conv4", 1))]
        self.fc = [(w["fc1/W"], w["fc1/b"]), (w["fc2/W"], w["fc2/b"])]

    def forward(self, x):
        h = (x - self.mean) / self.std
        for k, b, s in self.convs:
            h = F.relu(F.conv2d(h, k, b, stride=s, padding=1))
        h = h.reshape(h.shape[0], -1)
        h = F.relu(h @ self.fc[0][0] + self.fc[0][1])
        return h @ self.fc[1][0] + self.fc[1][1]


class CelebaCnn(nn.Module):
    """A small classifier for 3x128x128 images (2 logits): 4 strided 3x3 convs, global average pool, linear."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, 2, 1)
        self.c2 = nn.Conv2d(16, 32, 3, 2, 1)
        self.c3 = nn.Conv2d(32, 64, 3, 2, 1)
        self.c4 = nn.Conv2d(64, 64, 3, 2, 1)
        self.fc = nn.Linear(64, 2)

    def forward(self, x):
        h = F.relu(self.c1(x))
        h = F.relu(self.c2(h))
        h = F.relu(self.c3(h))
        h = F.relu(self.c4(h))
        return self.fc(h.mean(dim=(2, 3)))


def make_bench_cnn(path=CELEBA_CNN):
    """Writes the seeded CelebA-size CNN to ONNX (fixed input shape [N, 3, 128, 128])."""
    torch.manual_seed(20240)
    m = CelebaCnn().eval()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(m, torch.zeros(1, 3, 128, 128), path, opset_version=13, input_names=["x"], output_names=["logits"],
                      do_constant_folding=True, dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}})


def load_classifier(name):
    if name == "fmnist":
        m = FashionCnn()
    else:
        from ace_torch.onnx_weights import load_by_name
        m = load_by_name(CelebaCnn(), CELEBA_CNN).eval()
        for p in m.parameters():
            p.requires_grad_(False)
    return m


if __name__ == "__main__":
    if sys.argv[1:] == ["make-cnn"]:
        make_bench_cnn()
        print("wrote", CELEBA_CNN)
    else:
        for n in MODELS:
            m, t = load_unet(n)
            print(n, "loaded", sum(p.numel() for p in m.parameters()), "parameters, timesteps", t)
