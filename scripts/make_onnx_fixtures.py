#!/usr/bin/python3
"""Writes the ONNX test fixtures of ace-core (org.acejvm.core.onnx tests).

For every case, into ace-core/src/test/resources/onnx/<name>/:
  model.onnx         exported by PyTorch 1.13 (dynamic batch axis on every input and output)
  <input>.npy        the inputs (float32 values; integer inputs as int64)
  <output>.npy       the PyTorch output, computed in float64 from the same (float32) weights and inputs
  R_<output>.npy     a fixed random weight R per output
  grad_<input>.npy   d sum(output * R) / d input, float64, for every float input
  meta.json          names, files, opset, parameter count, and how far PyTorch's own float32 run is from the
                     float64 reference (rel = max|a-b| / max|b|)

Cases: small operator graphs under onnx/ops/<name> (one or a few operators each), a small CNN, torchvision's
ResNet, ResNeXt, DenseNet, MobileNetV2/V3 and EfficientNet classes (thin variants that keep every operator),
and guided-diffusion UNets
(scripts/ace_torch/unet.py) in several configurations, opsets and attention forms.

Usage: /usr/bin/python3 scripts/make_onnx_fixtures.py [name-prefix ...]
Deterministic: every case seeds torch.manual_seed from its name.
"""
import contextlib
import io
import json
import math
import os
import sys
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ace_torch import unet as U  # noqa: E402

OUT = os.path.join(HERE, '..', 'ace-core', 'src', 'test', 'resources', 'onnx')
torch.set_num_threads(1)


def seed_of(name):
    return zlib.crc32(name.encode()) % (2 ** 31)


@contextlib.contextmanager
def float64_reference():
    """Makes .float() return float64, so code that upcasts to float32 (GroupNorm32, softmax, timesteps)
    keeps computing in float64 for the reference run."""
    saved = torch.Tensor.float

    def keep_double(self, *a, **k):
        return self.double()

    torch.Tensor.float = keep_double
    try:
        yield
    finally:
        torch.Tensor.float = saved


def rel(a, b):
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def run(model, inputs, float_mask, weights, dtype):
    """Outputs and input gradients of sum_i(out_i * R_i)."""
    args = []
    for v, is_float in zip(inputs, float_mask):
        t = torch.from_numpy(v)
        if is_float:
            t = t.to(dtype).requires_grad_(True)
        args.append(t)
    out = model(*args)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    loss = sum((o * torch.from_numpy(r).to(dtype)).sum() for o, r in zip(outs, weights))
    grads = torch.autograd.grad(loss, [a for a, f in zip(args, float_mask) if f])
    return [o.detach().numpy().astype(np.float64) for o in outs], [g.numpy().astype(np.float64) for g in grads]


def export(name, model, inputs, input_names, output_names, opset=13, note=''):
    """inputs: numpy arrays (float32 or int64). Writes the fixture folder."""
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    model = model.eval()
    float_mask = [v.dtype == np.float32 for v in inputs]
    torch_inputs = tuple(torch.from_numpy(v) for v in inputs)
    dyn = {n: {0: 'N'} for n in list(input_names) + list(output_names)}
    buf = io.BytesIO()
    torch.onnx.export(model, torch_inputs, buf, input_names=list(input_names), output_names=list(output_names),
                      dynamic_axes=dyn, opset_version=opset, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL)
    proto = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(proto)
    with open(os.path.join(folder, 'model.onnx'), 'wb') as f:
        f.write(buf.getvalue())

    with torch.no_grad():
        probe = model(*torch_inputs)
    probe = probe if isinstance(probe, (tuple, list)) else (probe,)
    g = torch.Generator().manual_seed(seed_of(name) + 1)
    weights = [torch.randn(p.shape, generator=g).numpy().astype(np.float32) for p in probe]

    out32, grad32 = run(model, inputs, float_mask, weights, torch.float32)
    model64 = __import__('copy').deepcopy(model).double()
    with float64_reference():
        out64, grad64 = run(model64, inputs, float_mask, weights, torch.float64)

    meta = {'name': name, 'model': 'model.onnx', 'opset': opset, 'note': note,
            'params': int(sum(p.numel() for p in model.parameters())),
            'ops': sorted(set(n.op_type for n in proto.graph.node)),
            'inputs': [], 'outputs': [], 'torch_float32_rel_error': {}}
    gi = 0
    for n, v, is_float in zip(input_names, inputs, float_mask):
        np.save(os.path.join(folder, n + '.npy'), v)
        entry = {'name': n, 'file': n + '.npy'}
        if is_float:
            np.save(os.path.join(folder, 'grad_' + n + '.npy'), grad64[gi])
            entry['grad'] = 'grad_' + n + '.npy'
            meta['torch_float32_rel_error']['grad_' + n] = rel(grad32[gi], grad64[gi])
            gi += 1
        meta['inputs'].append(entry)
    for n, o32, o64, r in zip(output_names, out32, out64, weights):
        np.save(os.path.join(folder, n + '.npy'), o64)
        np.save(os.path.join(folder, 'R_' + n + '.npy'), r)
        meta['outputs'].append({'name': n, 'file': n + '.npy', 'weight': 'R_' + n + '.npy'})
        meta['torch_float32_rel_error'][n] = rel(o32, o64)
    with open(os.path.join(folder, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    size = os.path.getsize(os.path.join(folder, 'model.onnx'))
    print('%-28s opset %d  %8d params  %7.1f kB  ops=%s  torch f32 rel err %s' % (
        name, opset, meta['params'], size / 1024, ','.join(meta['ops']),
        {k: '%.1e' % v for k, v in meta['torch_float32_rel_error'].items()}), flush=True)


def randn(name, *shape, scale=1.0):
    g = torch.Generator().manual_seed(seed_of(name))
    return (torch.randn(*shape, generator=g) * scale).numpy().astype(np.float32)


# ---------------------------------------------------------------------------------------------------------
# Operator cases: tiny graphs, one or a few operators each.

class Lambda(nn.Module):
    def __init__(self, fn, **modules):
        super().__init__()
        self.fn = fn
        for k, m in modules.items():
            self.add_module(k, m)

    def forward(self, *xs):
        return self.fn(self, *xs)


def bn(c):
    m = nn.BatchNorm2d(c)
    with torch.no_grad():
        m.running_mean.uniform_(-0.5, 0.5)
        m.running_var.uniform_(0.5, 2.0)
        m.weight.uniform_(0.5, 1.5)
        m.bias.uniform_(-0.5, 0.5)
    return m


def gd_attention(self, x):
    """guided-diffusion QKVAttentionLegacy + AttentionBlock, written as the original code does (shape-derived
    reshapes, split) so the export carries Shape/Gather/Concat subgraphs."""
    b, c, *spatial = x.shape
    xf = x.reshape(b, c, -1)
    qkv = self.qkv(self.norm(xf))
    bs, width, length = qkv.shape
    heads = self.attention.n_heads
    ch = width // (3 * heads)
    q, k, v = qkv.reshape(bs * heads, ch * 3, length).split(ch, dim=1)
    scale = 1 / math.sqrt(math.sqrt(ch))
    w = torch.einsum("bct,bcs->bts", q * scale, k * scale)
    w = torch.softmax(w.float(), dim=-1).type(w.dtype)
    a = torch.einsum("bts,bcs->bct", w, v)
    h = self.proj_out(a.reshape(bs, -1, length))
    return (xf + h).reshape(b, c, *spatial)


def gd_resblock(self, x, emb):
    """guided-diffusion ResBlock.forward (emb_out[..., None] loop, th.chunk)."""
    h = F.silu(self.in_norm(x))
    if self.updown:
        h = self.h_upd(h)
        x = self.x_upd(x)
    h = self.in_conv(h)
    emb_out = self.emb_linear(F.silu(emb)).type(h.dtype)
    while len(emb_out.shape) < len(h.shape):
        emb_out = emb_out[..., None]
    if self.use_scale_shift_norm:
        scale, shift = torch.chunk(emb_out, 2, dim=1)
        h = self.out_norm(h) * (1 + scale) + shift
    else:
        h = self.out_norm(h + emb_out)
    h = self.out_conv(self.dropout(F.silu(h)))
    return self.skip(x) + h


def gd_timestep_embedding(timesteps, freqs, dim, max_period=10000):
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32) / half)
    args = timesteps[:, None].float() * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


@contextlib.contextmanager
def guided_diffusion_code_style():
    saved = (U.AttentionBlock.forward, U.ResBlock.forward, U.timestep_embedding)
    U.AttentionBlock.forward, U.ResBlock.forward, U.timestep_embedding = gd_attention, gd_resblock, gd_timestep_embedding
    try:
        yield
    finally:
        U.AttentionBlock.forward, U.ResBlock.forward, U.timestep_embedding = saved


def op_cases():
    torch.manual_seed(0)  # modules are built here; main() re-initialises their parameters per case
    x4 = lambda n, c=3, h=8, w=8: randn(n, 2, c, h, w)  # noqa: E731
    cases = []

    def case(name, model, inputs, opset=13, names=None):
        cases.append(('ops/' + name, model, inputs, names or ['x%d' % i if i else 'x' for i in range(len(inputs))],
                      opset))

    case('conv', Lambda(lambda s, x: s.b(s.a(x)), a=nn.Conv2d(3, 4, 3, padding=1),
                        b=nn.Conv2d(4, 5, (3, 2), stride=(2, 1), padding=(2, 1), dilation=(2, 1), bias=False)),
         [x4('conv')])
    case('conv_stride_asym_pad', Lambda(lambda s, x: s.a(F.pad(x, (0, 1, 0, 1))), a=nn.Conv2d(3, 4, 3, stride=2)),
         [x4('conv2', h=9, w=9)])
    case('conv1d', Lambda(lambda s, x: s.b(s.a(x)), a=nn.Conv1d(4, 6, 1), b=nn.Conv1d(6, 3, 3, padding=1)),
         [randn('conv1d', 2, 4, 10)])
    case('conv_grouped', Lambda(lambda s, x: s.b(s.a(x)), a=nn.Conv2d(4, 6, 3, padding=1, groups=2),
                                b=nn.Conv2d(6, 9, (3, 1), stride=2, padding=(1, 0), groups=3, bias=False)),
         [x4('convg', c=4)])
    # depthwise: multiplier 1 with bias, then multiplier 2 with stride, padding and dilation
    case('conv_depthwise', Lambda(lambda s, x: s.b(s.a(x)), a=nn.Conv2d(4, 4, 3, padding=1, groups=4),
                                  b=nn.Conv2d(4, 8, 3, stride=2, padding=2, dilation=2, groups=4, bias=False)),
         [x4('convdw', c=4, h=9, w=9)])
    # transposed convolutions as VAE/GAN decoders use them: symmetric pads (inside the op), output_padding with and
    # without pads (cropped / zero-extended result), groups with dilation, 1-D
    case('conv_transpose', Lambda(lambda s, x: s.c(F.relu(s.b(F.relu(s.a(x))))),
                                  a=nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1),
                                  b=nn.ConvTranspose2d(4, 2, 3, stride=2, padding=0, output_padding=1),
                                  c=nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1, output_padding=1)),
         [x4('convt', h=4, w=5)])
    case('conv_transpose_grouped', Lambda(lambda s, x: s.b(s.a(x)),
                                          a=nn.ConvTranspose2d(4, 6, 3, groups=2, dilation=2),
                                          b=nn.ConvTranspose2d(6, 3, (3, 2), stride=(2, 1), padding=(0, 1), groups=3,
                                                               bias=False)),
         [x4('convtg', c=4, h=4, w=4)])
    case('conv_transpose1d', nn.ConvTranspose1d(4, 3, 4, stride=2, padding=1), [randn('convt1d', 2, 4, 6)])
    case('maxpool', nn.MaxPool2d(3, 2, 1), [x4('maxpool', h=9, w=9)])
    case('avgpool', Lambda(lambda s, x: F.avg_pool2d(x, 2)), [x4('avgpool')])
    case('avgpool_pad', Lambda(lambda s, x: torch.cat([F.avg_pool2d(x, 3, 2, 1),
                                                       F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)], 1)),
         [x4('avgpool_pad', h=9, w=9)])
    case('gap_flatten_gemm', Lambda(lambda s, x: s.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)),
                                    fc=nn.Linear(3, 4)), [x4('gap')])
    case('batchnorm_relu', Lambda(lambda s, x: F.relu(s.bn(x)), bn=bn(3)), [x4('bn')])
    case('groupnorm_silu', Lambda(lambda s, x: F.silu(s.gn(x)), gn=nn.GroupNorm(2, 4)), [x4('gn', c=4)])
    case('instancenorm', nn.InstanceNorm2d(3, affine=True), [x4('in')])
    case('layernorm', nn.LayerNorm(8), [randn('ln', 2, 5, 8)], opset=17)
    case('linear_matmul', Lambda(lambda s, x: s.fc(x) @ s.w, fc=nn.Linear(8, 6)), [randn('lin', 2, 5, 8)])
    cases[-1][1].w = nn.Parameter(torch.from_numpy(randn('lin_w', 6, 3)))
    case('einsum_attention', Lambda(lambda s, x: torch.einsum('bts,bcs->bct', torch.softmax(
        torch.einsum('bct,bcs->bts', x[:, :3], x[:, 3:]), dim=-1), x[:, :3])), [randn('ein', 2, 6, 5)])
    case('matmul_batched', Lambda(lambda s, x: torch.matmul(x.transpose(1, 2), x) @ x.transpose(1, 2)),
         [randn('mm', 2, 4, 5)])
    case('unary', Lambda(lambda s, x: torch.sigmoid(x) + torch.tanh(x) + torch.exp(0.5 * x) + torch.sin(x)
                          + torch.cos(x) - torch.sqrt(x * x + 1) + torch.log(x * x + 1) + x.abs() * 0.5 - (-x)),
         [x4('unary')])
    case('binary', Lambda(lambda s, x: (x - 0.3) / (x * x + 1) + x.pow(2) * 0.1 + torch.reciprocal(x * x + 2)
                          + torch.maximum(x, x * 0.5) + torch.minimum(x, -x)), [x4('binary')])
    case('activations', Lambda(lambda s, x: F.relu(x) + F.leaky_relu(x, 0.1) + F.gelu(x) + F.hardtanh(x)
                                + F.elu(x) + F.softplus(x) + F.relu6(3 * x)), [x4('act')])
    case('hard_activations', Lambda(lambda s, x: F.hardsigmoid(x * 4) + F.hardswish(x * 4)), [x4('hard')], opset=14)
    case('softmax', Lambda(lambda s, x: torch.softmax(x, 1) + torch.log_softmax(x, -1)), [randn('sm', 2, 4, 5)])
    case('resize_nearest', Lambda(lambda s, x: F.interpolate(x, scale_factor=2.0, mode='nearest')), [x4('rs', h=4, w=5)])
    case('resize_bilinear', Lambda(lambda s, x: torch.cat([
        F.interpolate(x, scale_factor=2.0, mode='bilinear', align_corners=False),
        F.interpolate(x, size=(8, 10), mode='bilinear', align_corners=True),
        F.interpolate(F.interpolate(x, size=(3, 7), mode='bilinear', align_corners=False), size=(8, 10),
                      mode='bilinear', align_corners=False)], 1)), [x4('rsb', h=4, w=5)], opset=13)
    case('upsample_size', Lambda(lambda s, x: F.interpolate(x, size=(12, 10), mode='nearest')), [x4('us', h=4, w=5)])
    case('reshape_shape', Lambda(lambda s, x: gd_like_reshape(x)), [x4('rsh', c=4)])
    case('split_concat_slice', Lambda(lambda s, x: split_concat(x)), [x4('scs', c=6)])
    case('reduce', Lambda(lambda s, x: x.mean(dim=(2, 3), keepdim=True) * x + x.sum(dim=1, keepdim=True)
                          + x.amax(dim=-1, keepdim=True)), [x4('red')])
    case('global_max_reduce_min', Lambda(lambda s, x: F.adaptive_max_pool2d(x, 1) * x.amin(dim=1, keepdim=True)
                                         + torch.arange(8.0).reshape(1, 1, 1, 8) * x),
         [x4('gmax')])
    case('gather_squeeze', Lambda(lambda s, x: (x[:, 1] * x[:, 2:3].squeeze(1)).unsqueeze(1) + x[:, :, 0].unsqueeze(-1)),
         [x4('gat')])
    case('expand_tile', Lambda(lambda s, x: x.mean(dim=1, keepdim=True).expand(-1, 3, -1, -1) * x
                               + x[:, :1].repeat(1, 3, 1, 1)), [x4('exp')])
    case('transpose', Lambda(lambda s, x: x.permute(0, 2, 3, 1).reshape(2, -1, 3).transpose(1, 2).reshape(x.shape)),
         [x4('tr')])
    case('timestep_embedding', Lambda(lambda s, x, t: x * s.fc(gd_timestep_embedding(t, None, 8)).reshape(-1, 3, 1, 1),
                                      fc=nn.Linear(8, 3)), [x4('tse'), np.array([3, 250], dtype=np.int64)],
         names=['x', 't'])
    return cases


def gd_like_reshape(x):
    b, c, *spatial = x.shape
    h = x.reshape(b, c, -1)
    h = h.reshape(b * 2, c // 2, -1) * 2.0
    return h.reshape(b, -1, *spatial) + x


def split_concat(x):
    a, b, c = x.split([1, 2, 3], dim=1)
    d, e = torch.chunk(x, 2, dim=1)
    return torch.cat([c, b, a], dim=1) * torch.cat([e, d], 1) + x[:, :, 1:7:2, ::3].sum()


# ---------------------------------------------------------------------------------------------------------
# Architectures.

class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.c3 = nn.Conv2d(32, 32, 3, stride=2, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.avg_pool2d(F.relu(self.c2(x)), 2)
        x = F.relu(self.c3(x))
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


def randomize_bn(m):
    """Non-trivial batch-norm statistics, so that the (fused) normalisation matters."""
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            with torch.no_grad():
                mod.running_mean.uniform_(-0.2, 0.2)
                mod.running_var.uniform_(0.5, 1.5)
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
    return m


def thin_resnet18(num_classes=10, divisor=4):
    """torchvision's ResNet class with ResNet-18's BasicBlock layout [2, 2, 2, 2]; stage widths / divisor
    (64/4 .. 512/4) to keep the file small. Every operator of ResNet-18 is kept."""
    from torchvision.models.resnet import ResNet, BasicBlock

    class ThinResNet(ResNet):
        def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
            return super()._make_layer(block, planes // divisor, blocks, stride, dilate)

    m = ThinResNet(BasicBlock, [2, 2, 2, 2], num_classes=num_classes)
    m.fc = nn.Linear(512 // divisor, num_classes)
    return randomize_bn(m)


def thin_mobilenet_v2(num_classes=10):
    """torchvision's MobileNetV2 at width 0.25 (depthwise convolutions, ReLU6 as Clip)."""
    from torchvision.models import mobilenet_v2
    return randomize_bn(mobilenet_v2(width_mult=0.25, num_classes=num_classes))


def gray_mobilenet_v2(num_classes=10):
    """MobileNetV2 at width 0.25 with a 1-channel stem, for 1x32x32 Fashion-MNIST-sized input (random weights): a
    classifier of another family to run `ace explain` with the embedded diffusion model."""
    from torchvision.models import mobilenet_v2
    m = mobilenet_v2(width_mult=0.25, num_classes=num_classes)
    old = m.features[0][0]
    m.features[0][0] = nn.Conv2d(1, old.out_channels, old.kernel_size, old.stride, old.padding, bias=False)
    return randomize_bn(m)


def thin_mobilenet_v3_small(num_classes=10):
    """torchvision's MobileNetV3-Small at width 0.25 (depthwise convolutions, squeeze-excitation, hard-swish)."""
    from torchvision.models import mobilenet_v3_small
    return randomize_bn(mobilenet_v3_small(width_mult=0.25, num_classes=num_classes))


def thin_efficientnet_b0(num_classes=10):
    """torchvision's EfficientNet class with B0's block layout at width 0.25 and depth 0.5 (depthwise
    convolutions, squeeze-excitation, SiLU)."""
    from torchvision.models.efficientnet import EfficientNet, _efficientnet_conf
    setting, last = _efficientnet_conf('efficientnet_b0', width_mult=0.25, depth_mult=0.5)
    return randomize_bn(EfficientNet(setting, 0.2, last_channel=last, num_classes=num_classes))


def thin_resnext(num_classes=10, divisor=8):
    """torchvision's ResNet class with ResNeXt's grouped bottlenecks: [1, 1, 1, 1] blocks, 4 groups, widths / 8."""
    from torchvision.models.resnet import ResNet, Bottleneck

    class ThinResNeXt(ResNet):
        def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
            return super()._make_layer(block, planes // divisor, blocks, stride, dilate)

    m = ThinResNeXt(Bottleneck, [1, 1, 1, 1], groups=4, width_per_group=32, num_classes=num_classes)
    m.fc = nn.Linear(512 * Bottleneck.expansion // divisor, num_classes)
    return randomize_bn(m)


def thin_densenet121(num_classes=10):
    """torchvision's DenseNet class with DenseNet-121's block layout (6, 12, 24, 16), growth rate 8, 16 initial
    features and bottleneck size 2 (instead of 32, 64, 4) to keep the file small."""
    from torchvision.models.densenet import DenseNet
    return randomize_bn(DenseNet(growth_rate=8, block_config=(6, 12, 24, 16), num_init_features=16, bn_size=2,
                                 num_classes=num_classes))


def unet_inputs(name, c, size, n=2):
    return [randn(name, n, c, size, size), np.array([10.0, 431.0][:n] if n <= 2 else np.linspace(0, 499, n),
                                                    dtype=np.float32)]


def arch_cases():
    cases = []

    def case(name, build, inputs, names, opset=13, note='', context=None):
        cases.append((name, build, inputs, names, opset, note, context))

    case('small_cnn', SmallCnn, [randn('small_cnn', 2, 1, 32, 32)], ['x'])
    case('resnet18', thin_resnet18, [randn('resnet18', 2, 3, 64, 64)], ['x'],
         note='torchvision ResNet class, ResNet-18 layout, widths / 4, 64x64 input')
    case('densenet121', thin_densenet121, [randn('densenet121', 2, 3, 64, 64)], ['x'],
         note='torchvision DenseNet class, DenseNet-121 layout, growth 8, 16 init features, bn_size 2, 64x64 input')
    case('mobilenet_v2', thin_mobilenet_v2, [randn('mobilenet_v2', 2, 3, 64, 64)], ['x'],
         note='torchvision MobileNetV2, width 0.25, 64x64 input')
    case('mobilenet_v2_gray32', gray_mobilenet_v2, [randn('mobilenet_v2_gray32', 2, 1, 32, 32)], ['x'],
         note='torchvision MobileNetV2, width 0.25, 1-channel stem, 1x32x32 input (for ace explain with the embedded diffusion model)')
    case('mobilenet_v3_small', thin_mobilenet_v3_small, [randn('mobilenet_v3_small', 2, 3, 64, 64)], ['x'],
         note='torchvision MobileNetV3-Small, width 0.25, 64x64 input')
    case('efficientnet_b0', thin_efficientnet_b0, [randn('efficientnet_b0', 2, 3, 64, 64)], ['x'],
         note='torchvision EfficientNet class, B0 layout, width 0.25, depth 0.5, 64x64 input')
    case('resnext', thin_resnext, [randn('resnext', 2, 3, 64, 64)], ['x'],
         note='torchvision ResNet class with grouped bottlenecks (ResNeXt), [1,1,1,1], 4 groups, widths / 8, 64x64 input')

    # (a) small guided-diffusion UNet, learned sigma, attention at 16 and 8 px, num_head_channels, scale-shift
    # norm, resblock up/down, exported from guided-diffusion-style code (Shape/Gather/Concat reshapes, chunk).
    def unet_gd32():
        return U.UNetModel(32, 3, 32, num_res_blocks=2, attention_resolutions=(2, 4), channel_mult=(1, 2, 2),
                           num_head_channels=32, use_scale_shift_norm=True, resblock_updown=True,
                           learn_sigma=True, zero_init=False)
    case('unet_gd32', unet_gd32, unet_inputs('unet_gd32', 3, 32), ['x', 'timesteps'],
         note='guided-diffusion code style, 32px, C=32, mult 1,2,2, attention 16/8 px, 32 ch/head, learned sigma, '
              'scale-shift norm, resblock up/down', context=guided_diffusion_code_style)

    # (b) the published CelebA structure at base width 24 (published: 128; 32 gives a 26 MB file).
    def unet_celeba():
        return U.UNetModel(128, 3, 24, num_res_blocks=2, attention_resolutions=U.resolutions_to_factors(128, (32, 16, 8)),
                           channel_mult=(1, 1, 2, 3, 4), num_heads=4, use_scale_shift_norm=True,
                           resblock_updown=True, learn_sigma=True, zero_init=False)
    case('unet_celeba', unet_celeba, unet_inputs('unet_celeba', 3, 128, n=1), ['x', 'timesteps'],
         note='CelebA structure (128px, mult 1,1,2,3,4, 2 res blocks, attention 32/16/8, 4 heads, learned sigma, '
              'scale-shift, resblock up/down) at base width 24 (published 128; 32 would exceed 20 MB)')

    # a tiny UNet (16x16) for tests that call it several times (shared weights)
    def unet_tiny():
        return U.UNetModel(16, 1, 16, num_res_blocks=1, attention_resolutions=(2,), channel_mult=(1, 2), num_heads=2,
                           use_scale_shift_norm=True, resblock_updown=True, learn_sigma=True, zero_init=False)
    case('unet_tiny', unet_tiny, unet_inputs('unet_tiny', 1, 16), ['x', 'timesteps'],
         note='tiny: 1x16x16, C=16, mult 1,2, attention at 8 px, learned sigma, scale-shift, resblock up/down')

    # the ace_torch UNet in its other branches (conv resample, no scale-shift, num_heads), 1x32x32 like the
    # shipped Fashion-MNIST model; the same weights at opset 13 and 17, and with matmul attention.
    def unet_small(impl):
        def build():
            torch.manual_seed(seed_of('unet_small'))
            return U.UNetModel(32, 1, 32, num_res_blocks=1, attention_resolutions=(2, 4), channel_mult=(1, 2, 2),
                               num_heads=2, use_scale_shift_norm=False, resblock_updown=False, learn_sigma=True,
                               zero_init=False, attention_impl=impl)
        return build
    small_in = [randn('unet_small', 2, 1, 32, 32), np.array([0, 41], dtype=np.int64)]
    case('unet_small_op13', unet_small('einsum'), small_in, ['x', 'timesteps'], opset=13,
         note='ace_torch UNet, 1x32x32, C=32, conv resample, no scale-shift, 2 heads, int64 timesteps')
    case('unet_small_op17', unet_small('einsum'), small_in, ['x', 'timesteps'], opset=17,
         note='same weights as unet_small_op13, opset 17')
    case('unet_small_matmul', unet_small('matmul'), small_in, ['x', 'timesteps'], opset=13,
         note='same weights as unet_small_op13, attention as MatMul')
    return cases


def main(prefixes):
    want = lambda n: not prefixes or any(n.startswith(p) for p in prefixes)  # noqa: E731
    for name, model, inputs, names, opset in op_cases():
        if want(name):
            torch.manual_seed(seed_of(name))
            # rebuild parameters deterministically: re-initialise every module from the case seed
            for m in model.modules():
                if hasattr(m, 'reset_parameters') and not isinstance(m, nn.BatchNorm2d):
                    m.reset_parameters()
            export(name, model, inputs, names, ['y'], opset)
    for name, build, inputs, names, opset, note, context in arch_cases():
        if want(name):
            torch.manual_seed(seed_of(name))
            model = build()
            with (context() if context else contextlib.nullcontext()):
                export(name, model, inputs, names, ['out'], opset, note)


if __name__ == '__main__':
    main(sys.argv[1:])
