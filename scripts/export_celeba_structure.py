#!/usr/bin/python3
"""Exports the published CelebA diffusion UNet structure (OpenAI guided-diffusion layout as the ACE reference uses it:
128 px, C = 128, channel mult 1,1,2,3,4, 2 res blocks, attention at 32/16/8 px, 4 heads, learned sigma, scale-shift
norm, resblock up/down) with RANDOM weights to ONNX, for memory and speed measurements of F_tau at the published size.
The file (about 450 MB at width 128) is not committed; rerun this script to make it:

  /usr/bin/python3 scripts/export_celeba_structure.py --width 128 --out /tmp/unet_celeba128.onnx
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ace_torch import unet as U  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--width', type=int, default=128)
    ap.add_argument('--out', default='/tmp/unet_celeba128.onnx')
    args = ap.parse_args()
    torch.manual_seed(0)
    model = U.UNetModel(128, 3, args.width, num_res_blocks=2,
                        attention_resolutions=U.resolutions_to_factors(128, (32, 16, 8)),
                        channel_mult=(1, 1, 2, 3, 4), num_heads=4, use_scale_shift_norm=True,
                        resblock_updown=True, learn_sigma=True, zero_init=False).eval()
    params = sum(p.numel() for p in model.parameters())
    x = torch.randn(1, 3, 128, 128)
    t = torch.tensor([41], dtype=torch.int64)
    torch.onnx.export(model, (x, t), args.out, input_names=['x', 'timesteps'], output_names=['out'],
                      dynamic_axes={'x': {0: 'N'}, 'timesteps': {0: 'N'}, 'out': {0: 'N'}}, opset_version=13,
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    print(f'width {args.width}: {params} parameters -> {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB)')


if __name__ == '__main__':
    main()
