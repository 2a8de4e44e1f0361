"""Run an ONNX model with a small NumPy interpreter (float64) and compare with saved outputs.

Independent of PyTorch and onnxruntime (not installable here); covers the operators that PyTorch 1.13
emits for scripts/ace_torch/unet.py. Usage:
  /usr/bin/python3 scripts/onnx_numpy_check.py MODEL.onnx DIR   (DIR holds <input>.npy and <output>.npy)
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
from numpy.lib.stride_tricks import sliding_window_view


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def conv(x, w, b, a):
    nd = x.ndim - 2
    pads = a.get("pads", [0] * 2 * nd)
    strides = a.get("strides", [1] * nd)
    dil = a.get("dilations", [1] * nd)
    assert a.get("group", 1) == 1 and all(d == 1 for d in dil)
    x = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[i + nd]) for i in range(nd)])
    win = sliding_window_view(x, w.shape[2:], axis=tuple(range(2, 2 + nd)))
    win = win[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in strides)]
    if nd == 2:
        y = np.einsum("ncHWhw,ochw->noHW", win, w, optimize=True)
    else:
        y = np.einsum("ncLl,ocl->noL", win, w, optimize=True)
    if b is not None:
        y = y + b.reshape((1, -1) + (1,) * nd)
    return y


def run(model, feeds):
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env = {k: (v.astype(np.float64) if v.dtype == np.float32 else v) for k, v in env.items()}
    env.update(feeds)
    for node in model.graph.node:
        a = attrs(node)
        ins = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Constant":
            v = numpy_helper.to_array(a["value"])
            out = v.astype(np.float64) if v.dtype == np.float32 else v
        elif op == "Identity":
            out = ins[0]
        elif op == "Add":
            out = ins[0] + ins[1]
        elif op == "Mul":
            out = ins[0] * ins[1]
        elif op == "Sigmoid":
            out = 1.0 / (1.0 + np.exp(-ins[0]))
        elif op == "Cos":
            out = np.cos(ins[0])
        elif op == "Sin":
            out = np.sin(ins[0])
        elif op == "Cast":
            out = ins[0].astype({1: np.float64, 7: np.int64}[a["to"]])
        elif op == "Shape":
            out = np.array(ins[0].shape, dtype=np.int64)
        elif op == "Reshape":
            shape = [ins[0].shape[i] if s == 0 else s for i, s in enumerate(ins[1].tolist())]
            out = ins[0].reshape(shape)
        elif op == "Concat":
            out = np.concatenate(ins, axis=a["axis"])
        elif op == "Slice":
            data, starts, ends = ins[0], ins[1], ins[2]
            axes = ins[3] if len(ins) > 3 and ins[3] is not None else np.arange(len(starts))
            steps = ins[4] if len(ins) > 4 and ins[4] is not None else np.ones(len(starts), np.int64)
            sl = [slice(None)] * data.ndim
            for s, e, ax, st in zip(starts, ends, axes, steps):
                sl[int(ax)] = slice(int(s), int(min(e, 2 ** 62)), int(st))
            out = data[tuple(sl)]
        elif op == "Gemm":
            A = ins[0].T if a.get("transA", 0) else ins[0]
            B = ins[1].T if a.get("transB", 0) else ins[1]
            out = a.get("alpha", 1.0) * A @ B
            if len(ins) > 2 and ins[2] is not None:
                out = out + a.get("beta", 1.0) * ins[2]
        elif op == "MatMul":
            out = ins[0] @ ins[1]
        elif op == "Transpose":
            out = np.transpose(ins[0], a.get("perm"))
        elif op == "Einsum":
            out = np.einsum(a["equation"].decode(), *ins)
        elif op == "Softmax":
            ax = a.get("axis", -1)
            e = np.exp(ins[0] - ins[0].max(axis=ax, keepdims=True))
            out = e / e.sum(axis=ax, keepdims=True)
        elif op == "InstanceNormalization":
            x = ins[0]
            axes = tuple(range(2, x.ndim))
            mu = x.mean(axis=axes, keepdims=True)
            var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)
            sh = (1, -1) + (1,) * (x.ndim - 2)
            out = (x - mu) / np.sqrt(var + a.get("epsilon", 1e-5)) * ins[1].reshape(sh) + ins[2].reshape(sh)
        elif op == "Conv":
            out = conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
        elif op == "Pad":
            assert a.get("mode", b"constant") == b"constant"
            p = ins[1].tolist()
            nd = ins[0].ndim
            cval = ins[2] if len(ins) > 2 and ins[2] is not None else 0.0
            out = np.pad(ins[0], [(p[i], p[i + nd]) for i in range(nd)], constant_values=cval)
        elif op == "AveragePool":
            k, s = a["kernel_shape"], a.get("strides", a["kernel_shape"])
            assert not any(a.get("pads", [0])) and k == s
            n, c, h, w = ins[0].shape
            out = ins[0].reshape(n, c, h // k[0], k[0], w // k[1], k[1]).mean(axis=(3, 5))
        elif op == "Resize":
            assert a.get("mode") == b"nearest" and a.get("coordinate_transformation_mode") == b"asymmetric"
            scales = ins[2]
            out = ins[0]
            for ax, sc in enumerate(scales):
                if sc != 1:
                    assert float(sc).is_integer()
                    out = np.repeat(out, int(sc), axis=ax)
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = out
    return [env[o.name] for o in model.graph.output]


def main():
    model_path, ref_dir = sys.argv[1], sys.argv[2]
    model = onnx.load(model_path)
    feeds = {}
    for i in model.graph.input:
        if i.name in {x.name for x in model.graph.initializer}:
            continue
        v = np.load(os.path.join(ref_dir, i.name + ".npy"))
        feeds[i.name] = v.astype(np.float64) if v.dtype == np.float32 else v
    outs = run(model, feeds)
    worst = 0.0
    for o, val in zip(model.graph.output, outs):
        ref = np.load(os.path.join(ref_dir, o.name + ".npy")).astype(np.float64)
        err = np.abs(val - ref).max()
        rel = err / max(np.abs(ref).max(), 1e-30)
        worst = max(worst, rel)
        print("%s: shape %s, max |numpy - saved| = %.3e (relative %.3e)" % (o.name, val.shape, err, rel))
    sys.exit(0 if worst < 1e-4 else 1)


if __name__ == "__main__":
    main()
