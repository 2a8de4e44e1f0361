"""Train the shipped Fashion-MNIST diffusion model (1x32x32) on CPU; resumable.

T=500 linear schedule (betas scaled by 1000/T, float64), learned-range variance (UNet outputs 2 channels),
Improved-DDPM hybrid loss (eps MSE + lambda=0.001 * L_vlb with a stop-gradient on the mean), uniform t,
Adam, EMA of the weights (used for export), random horizontal flips.

Checkpoint (model, EMA, optimiser, step, loss log, RNG) every --save-minutes to --ckpt (written atomically,
so the export script can read it while training runs); rerunning the same command resumes from it.
With no checkpoint, --init-onnx starts from the weights of an exported model (model and EMA both), e.g. to
continue training the shipped model; its loss log (--init-log) and step count carry over, the optimiser starts
fresh with a new lr warm-up.

Example:
  nohup nice -n 5 /usr/bin/python3 scripts/train_fmnist_diffusion.py --threads 1 --max-minutes 75 --log-every 25 \
      > scripts/checkpoints/train.log 2>&1 &
"""
import argparse
import copy
import csv
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ace_torch.diffusion import Diffusion  # noqa: E402
from ace_torch.unet import UNetModel, count_parameters  # noqa: E402
from fmnist_data import load_images, to_model_range  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# The architecture of the shipped model (the export script rebuilds it from the checkpoint's copy).
DEFAULT_ARCH = dict(image_size=32, in_channels=1, model_channels=32, out_channels=1, num_res_blocks=1,
                    attention_resolutions=[4], channel_mult=[1, 2, 2], num_heads=4, num_head_channels=-1,
                    use_scale_shift_norm=True, resblock_updown=True, dropout=0.0, learn_sigma=True)


def build_model(arch: dict) -> UNetModel:
    return UNetModel(**arch)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", default=os.path.join(HERE, "checkpoints", "fmnist_ddpm.pt"))
    p.add_argument("--log-csv", default=None, help="loss log CSV (default: next to --ckpt)")
    p.add_argument("--max-minutes", type=float, default=75.0, help="wall-clock budget of this invocation")
    p.add_argument("--max-steps", type=int, default=0, help="stop at this total step count (0: no limit)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=4e-4)
    p.add_argument("--warmup", type=int, default=200, help="linear lr warm-up steps")
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--T", type=int, default=500)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--save-minutes", type=float, default=4.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model-channels", type=int, default=DEFAULT_ARCH["model_channels"])
    p.add_argument("--channel-mult", default=",".join(map(str, DEFAULT_ARCH["channel_mult"])))
    p.add_argument("--attention-ds", default=",".join(map(str, DEFAULT_ARCH["attention_resolutions"])),
                   help="attention at these downsample factors (4 = 8x8 at 32 px)")
    p.add_argument("--num-res-blocks", type=int, default=DEFAULT_ARCH["num_res_blocks"])
    p.add_argument("--num-heads", type=int, default=DEFAULT_ARCH["num_heads"])
    p.add_argument("--channels-last", type=int, default=0, help="1: channels_last memory format (faster on CPU)")
    p.add_argument("--init-onnx", default=None, help="with no checkpoint: start from this exported model's weights")
    p.add_argument("--init-log", default=None, help="with --init-onnx: its loss_log.csv (step count and curve carry over)")
    p.add_argument("--init-step", type=int, default=0, help="with --init-onnx: its training step (default: the log's last)")
    p.add_argument("--benchmark", type=int, default=0, help="time this many steps, save nothing, exit")
    return p.parse_args(argv)


def atomic_save(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    os.makedirs(os.path.dirname(os.path.abspath(args.ckpt)), exist_ok=True)
    log_csv = args.log_csv or os.path.splitext(args.ckpt)[0] + "_loss.csv"

    arch = dict(DEFAULT_ARCH)
    arch.update(model_channels=args.model_channels,
                channel_mult=[int(c) for c in args.channel_mult.split(",")],
                attention_resolutions=[int(c) for c in args.attention_ds.split(",") if c],
                num_res_blocks=args.num_res_blocks, num_heads=args.num_heads)
    resume = os.path.exists(args.ckpt) and not args.benchmark
    ck = torch.load(args.ckpt, map_location="cpu") if resume else None
    if ck is not None:
        arch = ck["arch"]
    torch.manual_seed(args.seed)
    model = build_model(arch)
    ema = copy.deepcopy(model).requires_grad_(False)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step, train_seconds, loss_log, runs = 0, 0.0, [], []
    if ck is not None:
        model.load_state_dict(ck["model"])
        ema.load_state_dict(ck["ema"])
        opt.load_state_dict(ck["opt"])
        step, train_seconds, loss_log = ck["step"], ck["train_seconds"], ck["loss_log"]
        runs = list(ck.get("runs", []))
        torch.set_rng_state(ck["torch_rng"])
        np_rng = np.random.Generator(np.random.PCG64())
        np_rng.bit_generator.state = ck["np_rng"]
        print("resumed from %s at step %d (%.1f min trained)" % (args.ckpt, step, train_seconds / 60), flush=True)
    else:
        np_rng = np.random.Generator(np.random.PCG64(args.seed))
        if args.init_onnx:
            from bench_models import load_unet_from_onnx
            init, _ = load_unet_from_onnx(args.init_onnx, arch, arch["in_channels"], arch["image_size"])
            model.load_state_dict(init.state_dict())
            ema.load_state_dict(init.state_dict())
            if args.init_log:
                with open(args.init_log) as f:
                    rows = list(csv.reader(f))[1:]
                loss_log = [[int(r[0]), float(r[1])] + [float(v) for v in r[2:]] for r in rows]
                step, train_seconds = loss_log[-1][0], loss_log[-1][1]
            if args.init_step:  # the exported step may lie past the log's last row
                train_seconds *= args.init_step / max(1, step)
                step = args.init_step
            print("initialised from %s (step %d)" % (args.init_onnx, step), flush=True)
    # lr warm-up counts from the step this run's optimiser started at (0, or the --init-onnx model's step)
    if ck is not None:
        args.warmup_from = ck["hparams"].get("warmup_from", 0)
    else:
        args.warmup_from = step
    runs.append(dict(argv=sys.argv[1:], start_step=step, started=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())))
    print("arch %s, %d parameters" % (arch, count_parameters(model)), flush=True)

    data = load_images("train")
    n = len(data)
    diffusion = Diffusion.linear(args.T)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    model.train()

    def save():
        atomic_save(dict(model=model.state_dict(), ema=ema.state_dict(), opt=opt.state_dict(), step=step,
                         train_seconds=train_seconds, loss_log=loss_log, arch=arch, T=args.T, runs=runs,
                         hparams=vars(args), torch_rng=torch.get_rng_state(),
                         np_rng=np_rng.bit_generator.state), args.ckpt)
        with open(log_csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["step", "train_seconds", "loss", "mse", "vb", "lr"])
            w.writerows(loss_log)

    start = time.time()
    last_save = start
    acc = np.zeros(3)
    acc_n = 0
    while True:
        if args.max_steps and step >= args.max_steps:
            break
        if time.time() - start > args.max_minutes * 60:
            break
        if args.benchmark and step >= args.benchmark:
            break
        t0 = time.time()
        idx = np_rng.integers(0, n, size=args.batch)
        x = to_model_range(data[idx])
        flip = np_rng.random(args.batch) < 0.5
        x[flip] = x[flip][..., ::-1]
        x0 = torch.from_numpy(np.ascontiguousarray(x))
        if args.channels_last:
            x0 = x0.contiguous(memory_format=torch.channels_last)
        t = torch.from_numpy(np_rng.integers(0, args.T, size=args.batch))
        noise = torch.randn_like(x0)
        lr = args.lr * min(1.0, (step - args.warmup_from + 1) / max(1, args.warmup))
        for g in opt.param_groups:
            g["lr"] = lr
        loss, mse, vb = diffusion.training_losses(model, x0, t, noise)
        loss = loss.mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        decay = min(args.ema, (1.0 + step) / (10.0 + step))  # EMA warm-up: early weights fade quickly
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
        step += 1
        train_seconds += time.time() - t0
        acc += [loss.item(), mse.mean().item(), vb.mean().item()]
        acc_n += 1
        if step % args.log_every == 0:
            m = acc / acc_n
            loss_log.append([step, round(train_seconds, 1), float(m[0]), float(m[1]), float(m[2]), lr])
            print("step %d  %.1f min  loss %.5f  mse %.5f  vb %.5f  %.3f s/step" %
                  (step, train_seconds / 60, m[0], m[1], m[2], train_seconds / step), flush=True)
            acc[:] = 0
            acc_n = 0
        if not args.benchmark and time.time() - last_save > args.save_minutes * 60:
            save()
            last_save = time.time()
            print("saved %s at step %d" % (args.ckpt, step), flush=True)
    if args.benchmark:
        el = time.time() - start
        print("benchmark: %d steps batch %d in %.1f s: %.3f s/step, %.1f img/s" %
              (step, args.batch, el, el / step, step * args.batch / el), flush=True)
        return
    save()
    print("done: step %d, %.1f min trained; saved %s" % (step, train_seconds / 60, args.ckpt), flush=True)


if __name__ == "__main__":
    main()
