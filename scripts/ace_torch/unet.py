"""A UNet in the style of OpenAI's guided-diffusion, written from its description.

Structure (as in guided-diffusion's ``UNetModel``):

* timestep embedding: sinusoidal ``[cos, sin]`` with max period 10000 on ``model_channels`` dims,
  then Linear(C, 4C) - SiLU - Linear(4C, 4C);
* input blocks: a 3x3 conv, then per level ``num_res_blocks`` ResBlocks (each optionally followed by an
  attention block) and, except at the last level, a downsampling block (a ResBlock with ``down=True``
  when ``resblock_updown``, else a stride-2 conv or 2x2 average pool);
* middle: ResBlock - AttentionBlock - ResBlock;
* output blocks: per level (reversed) ``num_res_blocks + 1`` ResBlocks on the concatenation of the
  current features and the matching skip, optional attention, and an upsampling block at the end of
  every level but the first;
* out: GroupNorm32 - SiLU - zero-initialised 3x3 conv to ``out_channels`` (doubled when ``learn_sigma``).

``attention_resolutions`` are **downsample factors** (1 = full resolution, 2 = half, 4 = quarter, ...),
exactly as guided-diffusion's ``UNetModel`` takes them.  Use :func:`resolutions_to_factors` to convert
from pixel resolutions (guided-diffusion's command-line form, e.g. "32,16,8" at 128 px).

Attention uses the legacy QKV layout: a 1x1 Conv1d gives ``3 * channels`` rows which are reshaped to
``[N * heads, 3 * head_ch, T]`` so that every head's block is ``[q, k, v]``.  The product can be
computed with einsum or with matmul (``attention_impl``, or the module-level default
``ATTENTION_IMPL``); both compute the same function.

The graph is kept friendly to ONNX translators: every reshape keeps the batch dimension as ``-1``
and uses constant sizes elsewhere, splits are written as slices, the frequency table of the timestep
embedding is a buffer, upsampling is ``Resize`` (nearest, scale 2).
"""
import math
from typing import Iterable, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

# Default attention implementation: "einsum" or "matmul" (constructor option overrides it).
ATTENTION_IMPL = "einsum"


def resolutions_to_factors(image_size: int, resolutions: Iterable[int]):
    """Pixel resolutions (e.g. 16, 8 at 32 px) -> downsample factors (2, 4) as ``UNetModel`` takes them."""
    return tuple(image_size // int(r) for r in resolutions)


class GroupNorm32(nn.GroupNorm):
    """GroupNorm that always computes in float32 and returns the input dtype.

    guided-diffusion always uses 32 groups; :func:`normalization` falls back to gcd(32, channels) groups
    when channels is not a multiple of 32 (e.g. 48 or 144 channels -> 16 groups).
    """

    def forward(self, x):
        if x.dtype == torch.float32:  # no identity Cast ops in the exported graph
            return super().forward(x)
        return super().forward(x.float()).type(x.dtype)


def normalization(channels: int) -> nn.Module:
    return GroupNorm32(32 if channels % 32 == 0 else math.gcd(32, channels), channels)


def _zero(module: nn.Module, enabled: bool) -> nn.Module:
    if enabled:
        for p in module.parameters():
            p.detach().zero_()
    return module


def timestep_embedding(timesteps: torch.Tensor, freqs: torch.Tensor, dim: int) -> torch.Tensor:
    """[N] timesteps -> [N, dim] embedding ``[cos(t f), sin(t f)]`` (zero-padded if dim is odd)."""
    if timesteps.dtype != torch.float32:
        timesteps = timesteps.float()
    args = timesteps.reshape(-1, 1) * freqs.reshape(1, -1)
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=1)
    if dim % 2:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=1)
    return emb


def make_frequencies(dim: int, max_period: float = 10000.0) -> torch.Tensor:
    half = dim // 2
    return torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)


class TimestepBlock(nn.Module):
    """A module whose forward takes the timestep embedding as a second argument."""


class TimestepSequential(nn.Sequential):
    def forward(self, x, emb):
        for layer in self:
            x = layer(x, emb) if isinstance(layer, TimestepBlock) else layer(x)
        return x


class Upsample(nn.Module):
    """Nearest-neighbour 2x upsampling, optionally followed by a 3x3 conv."""

    def __init__(self, channels: int, use_conv: bool, out_channels: Optional[int] = None):
        super().__init__()
        self.channels = channels
        self.out_channels = out_channels or channels
        self.conv = nn.Conv2d(channels, self.out_channels, 3, padding=1) if use_conv else None

    def forward(self, x):
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        return self.conv(x) if self.conv is not None else x


class Downsample(nn.Module):
    """2x downsampling: stride-2 3x3 conv (use_conv) or 2x2 average pool."""

    def __init__(self, channels: int, use_conv: bool, out_channels: Optional[int] = None):
        super().__init__()
        self.channels = channels
        self.out_channels = out_channels or channels
        if use_conv:
            self.op = nn.Conv2d(channels, self.out_channels, 3, stride=2, padding=1)
        else:
            assert self.channels == self.out_channels
            self.op = nn.AvgPool2d(kernel_size=2, stride=2)

    def forward(self, x):
        return self.op(x)


class ResBlock(TimestepBlock):
    def __init__(self, channels: int, emb_channels: int, dropout: float, out_channels: Optional[int] = None,
                 use_conv: bool = False, use_scale_shift_norm: bool = False, up: bool = False,
                 down: bool = False, zero_init: bool = True):
        super().__init__()
        self.channels = channels
        self.out_channels = out_channels or channels
        self.use_scale_shift_norm = use_scale_shift_norm
        self.in_norm = normalization(channels)
        self.in_conv = nn.Conv2d(channels, self.out_channels, 3, padding=1)
        self.updown = up or down
        if up:
            self.h_upd = Upsample(channels, False)
            self.x_upd = Upsample(channels, False)
        elif down:
            self.h_upd = Downsample(channels, False)
            self.x_upd = Downsample(channels, False)
        else:
            self.h_upd = self.x_upd = nn.Identity()
        self.emb_linear = nn.Linear(emb_channels, 2 * self.out_channels if use_scale_shift_norm
                                    else self.out_channels)
        self.out_norm = normalization(self.out_channels)
        self.dropout = nn.Dropout(p=dropout)
        self.out_conv = _zero(nn.Conv2d(self.out_channels, self.out_channels, 3, padding=1), zero_init)
        if self.out_channels == channels:
            self.skip = nn.Identity()
        elif use_conv:
            self.skip = nn.Conv2d(channels, self.out_channels, 3, padding=1)
        else:
            self.skip = nn.Conv2d(channels, self.out_channels, 1)

    def forward(self, x, emb):
        h = F.silu(self.in_norm(x))
        if self.updown:
            h = self.h_upd(h)
            x = self.x_upd(x)
        h = self.in_conv(h)
        e = self.emb_linear(F.silu(emb))
        if e.dtype != h.dtype:
            e = e.type(h.dtype)
        e = e.reshape(-1, self.emb_linear.out_features, 1, 1)
        if self.use_scale_shift_norm:
            c = self.out_channels
            scale, shift = e[:, :c], e[:, c:]
            h = self.out_norm(h) * (1 + scale) + shift
        else:
            h = self.out_norm(h + e)
        h = self.out_conv(self.dropout(F.silu(h)))
        return self.skip(x) + h


def _softmax32(w):
    """Softmax over the last axis computed in float32 (no Cast ops when w is float32 already)."""
    if w.dtype == torch.float32:
        return torch.softmax(w, dim=-1)
    return torch.softmax(w.float(), dim=-1).type(w.dtype)


class QKVAttentionLegacy(nn.Module):
    """Multi-head attention on qkv [N, heads * 3 * ch, T], per head laid out as [q, k, v]."""

    def __init__(self, n_heads: int, impl: Optional[str] = None):
        super().__init__()
        self.n_heads = n_heads
        self.impl = impl

    def forward(self, qkv, ch: int, length: int):
        impl = self.impl or ATTENTION_IMPL
        qkv = qkv.reshape(-1, 3 * ch, length)              # [N*H, 3*ch, T]
        q, k, v = qkv[:, :ch], qkv[:, ch:2 * ch], qkv[:, 2 * ch:]
        scale = 1.0 / math.sqrt(math.sqrt(ch))
        if impl == "einsum":
            w = torch.einsum("bct,bcs->bts", q * scale, k * scale)
            w = _softmax32(w)
            a = torch.einsum("bts,bcs->bct", w, v)
        elif impl == "matmul":
            w = torch.matmul((q * scale).transpose(1, 2), k * scale)     # [B, T, S]
            w = _softmax32(w)
            a = torch.matmul(v, w.transpose(1, 2))                      # [B, ch, T]
        else:
            raise ValueError("attention impl must be 'einsum' or 'matmul', got %r" % impl)
        return a.reshape(-1, self.n_heads * ch, length)


class AttentionBlock(nn.Module):
    def __init__(self, channels: int, num_heads: int = 1, num_head_channels: int = -1,
                 zero_init: bool = True, attention_impl: Optional[str] = None):
        super().__init__()
        self.channels = channels
        if num_head_channels == -1:
            self.num_heads = num_heads
        else:
            assert channels % num_head_channels == 0, (channels, num_head_channels)
            self.num_heads = channels // num_head_channels
        assert channels % self.num_heads == 0, (channels, self.num_heads)
        self.norm = normalization(channels)
        self.qkv = nn.Conv1d(channels, 3 * channels, 1)
        self.attention = QKVAttentionLegacy(self.num_heads, attention_impl)
        self.proj_out = _zero(nn.Conv1d(channels, channels, 1), zero_init)

    def forward(self, x):
        c = self.channels
        hh, ww = int(x.shape[2]), int(x.shape[3])  # spatial sizes are constant; batch stays dynamic
        length = hh * ww
        xf = x.reshape(-1, c, length)
        qkv = self.qkv(self.norm(xf))
        h = self.attention(qkv, c // self.num_heads, length)
        h = self.proj_out(h)
        return (xf + h).reshape(-1, c, hh, ww)


class UNetModel(nn.Module):
    """guided-diffusion-style UNet: ``forward(x [N,C,H,W], timesteps [N]) -> [N, out, H, W]``.

    :param attention_resolutions: downsample factors (1, 2, 4, ...) at which to use attention.
    :param out_channels: output channels before ``learn_sigma`` doubling (defaults to in_channels).
    :param learn_sigma: if True the output has ``2 * out_channels`` channels (eps, v).
    :param num_head_channels: if not -1, heads of this width (overrides num_heads).
    :param zero_init: zero the output convs as guided-diffusion does (False for random test fixtures).
    :param attention_impl: "einsum" or "matmul" (None: module-level ``ATTENTION_IMPL`` at call time).
    """

    def __init__(self, image_size: int, in_channels: int, model_channels: int, out_channels: Optional[int] = None,
                 num_res_blocks: int = 2, attention_resolutions: Sequence[int] = (), dropout: float = 0.0,
                 channel_mult: Sequence[int] = (1, 2, 4, 8), conv_resample: bool = True, num_heads: int = 1,
                 num_head_channels: int = -1, num_heads_upsample: int = -1, use_scale_shift_norm: bool = False,
                 resblock_updown: bool = False, learn_sigma: bool = False, zero_init: bool = True,
                 attention_impl: Optional[str] = None):
        super().__init__()
        out_channels = out_channels or in_channels
        if learn_sigma:
            out_channels *= 2
        if num_heads_upsample == -1:
            num_heads_upsample = num_heads
        self.image_size = image_size
        self.in_channels = in_channels
        self.model_channels = model_channels
        self.out_channels = out_channels
        self.num_res_blocks = num_res_blocks
        self.attention_resolutions = tuple(attention_resolutions)
        self.channel_mult = tuple(channel_mult)
        self.config = dict(image_size=image_size, in_channels=in_channels, model_channels=model_channels,
                           out_channels=out_channels, num_res_blocks=num_res_blocks,
                           attention_resolutions=list(attention_resolutions), dropout=dropout,
                           channel_mult=list(channel_mult), conv_resample=conv_resample, num_heads=num_heads,
                           num_head_channels=num_head_channels, num_heads_upsample=num_heads_upsample,
                           use_scale_shift_norm=use_scale_shift_norm, resblock_updown=resblock_updown,
                           learn_sigma=learn_sigma)

        emb_dim = 4 * model_channels
        self.register_buffer("freqs", make_frequencies(model_channels), persistent=False)
        self.time_embed = nn.Sequential(nn.Linear(model_channels, emb_dim), nn.SiLU(),
                                        nn.Linear(emb_dim, emb_dim))

        def res(ch_in, ch_out, **kw):
            return ResBlock(ch_in, emb_dim, dropout, out_channels=ch_out,
                            use_scale_shift_norm=use_scale_shift_norm, zero_init=zero_init, **kw)

        def attn(ch, heads):
            return AttentionBlock(ch, num_heads=heads, num_head_channels=num_head_channels,
                                  zero_init=zero_init, attention_impl=attention_impl)

        ch = int(channel_mult[0] * model_channels)
        self.input_blocks = nn.ModuleList([TimestepSequential(nn.Conv2d(in_channels, ch, 3, padding=1))])
        chans = [ch]
        ds = 1
        for level, mult in enumerate(channel_mult):
            for _ in range(num_res_blocks):
                layers = [res(ch, int(mult * model_channels))]
                ch = int(mult * model_channels)
                if ds in self.attention_resolutions:
                    layers.append(attn(ch, num_heads))
                self.input_blocks.append(TimestepSequential(*layers))
                chans.append(ch)
            if level != len(channel_mult) - 1:
                if resblock_updown:
                    down = res(ch, ch, down=True)
                else:
                    down = Downsample(ch, conv_resample)
                self.input_blocks.append(TimestepSequential(down))
                chans.append(ch)
                ds *= 2

        self.middle_block = TimestepSequential(res(ch, ch), attn(ch, num_heads), res(ch, ch))

        self.output_blocks = nn.ModuleList([])
        for level, mult in list(enumerate(channel_mult))[::-1]:
            for i in range(num_res_blocks + 1):
                ich = chans.pop()
                layers = [res(ch + ich, int(model_channels * mult))]
                ch = int(model_channels * mult)
                if ds in self.attention_resolutions:
                    layers.append(attn(ch, num_heads_upsample))
                if level and i == num_res_blocks:
                    layers.append(res(ch, ch, up=True) if resblock_updown else Upsample(ch, conv_resample))
                    ds //= 2
                self.output_blocks.append(TimestepSequential(*layers))

        self.out = nn.Sequential(normalization(ch), nn.SiLU(),
                                 _zero(nn.Conv2d(ch, out_channels, 3, padding=1), zero_init))

    def forward(self, x: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        emb = self.time_embed(timestep_embedding(timesteps, self.freqs, self.model_channels))
        hs = []
        h = x
        for block in self.input_blocks:
            h = block(h, emb)
            hs.append(h)
        h = self.middle_block(h, emb)
        for block in self.output_blocks:
            h = block(torch.cat([h, hs.pop()], dim=1), emb)
        return self.out(h)


def set_attention_impl(model: nn.Module, impl: Optional[str]) -> None:
    """Switch every attention block of ``model`` to "einsum" / "matmul" (None: follow ATTENTION_IMPL)."""
    for m in model.modules():
        if isinstance(m, QKVAttentionLegacy):
            m.impl = impl


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
