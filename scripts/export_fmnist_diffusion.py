"""Export the Fashion-MNIST diffusion model (EMA weights of the training checkpoint) to ONNX, write its
model card with a loss curve, a sample grid and denoising errors, and a reference tensor set for Java.

Writes
  ace-examples/src/main/resources/models/fmnist-ddpm/model.onnx     inputs x [N,1,32,32] float32 in [-1,1]
                                                                    (the noisy image x_t) and timesteps [N]
                                                                    int64 (original t in 0..499); output
                                                                    out [N,2,32,32] = (eps, v)
  ace-examples/src/main/resources/models/fmnist-ddpm/MODEL_CARD.md
  ace-examples/src/main/resources/models/fmnist-ddpm/{loss_curve,samples}.png
  ace-examples/src/test/resources/fmnist-ddpm/{x0,noise,x,timesteps,out}.npy (named after the ONNX inputs/outputs) + README.md

Run (while training runs or after it; the checkpoint is written atomically):
  nice -n 10 /usr/bin/python3 scripts/export_fmnist_diffusion.py --threads 1
"""
import argparse
import datetime
import hashlib
import io
import json
import os
import struct
import sys
import time
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from ace_torch.diffusion import Diffusion, respaced_timesteps  # noqa: E402
from ace_torch.unet import UNetModel, count_parameters, set_attention_impl  # noqa: E402
from fmnist_data import load_images, to_model_range  # noqa: E402

MODEL_DIR = os.path.join(ROOT, "ace-examples", "src", "main", "resources", "models", "fmnist-ddpm")
REF_DIR = os.path.join(ROOT, "ace-examples", "src", "test", "resources", "fmnist-ddpm")


def write_png_gray(path, img_u8):
    """Minimal 8-bit grayscale PNG writer (no dependency)."""
    h, w = img_u8.shape
    raw = b"".join(b"\x00" + img_u8[i].tobytes() for i in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def grid(images, nrow=8, pad=2, scale=2):
    """[N,1,H,W] in [-1,1] -> uint8 grid image."""
    x = ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()[:, 0]
    n, h, w = x.shape
    ncol = (n + nrow - 1) // nrow
    out = np.full((ncol * (h + pad) + pad, nrow * (w + pad) + pad), 128, np.uint8)
    for i in range(n):
        r, c = divmod(i, nrow)
        out[pad + r * (h + pad):pad + r * (h + pad) + h, pad + c * (w + pad):pad + c * (w + pad) + w] = x[i]
    return np.kron(out, np.ones((scale, scale), np.uint8))


def plot_loss(loss_log, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed (apt-get install -y python3-matplotlib): no loss curve", flush=True)
        return False
    a = np.array(loss_log, dtype=np.float64)
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
    ax[0].plot(a[:, 0], a[:, 3], label="MSE(eps)")
    ax[0].plot(a[:, 0], a[:, 2], label="hybrid loss", alpha=0.7)
    ax[0].set_yscale("log")
    ax[0].set_xlabel("step")
    ax[0].legend()
    ax[0].grid(alpha=0.3)
    ax[1].plot(a[:, 0], a[:, 4], color="C2", label="0.001 * L_vlb term (T/1000 * L_t, bits/dim)")
    ax[1].set_yscale("log")
    ax[1].set_xlabel("step")
    ax[1].legend()
    ax[1].grid(alpha=0.3)
    fig.suptitle("Fashion-MNIST DDPM training loss (mean per logging window)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_ema(path):
    """(the EMA weights of the training checkpoint at `path` as a UNetModel in eval mode, the checkpoint)."""
    ck = torch.load(path, map_location="cpu")
    model = UNetModel(**ck["arch"])
    model.load_state_dict(ck["ema"])
    return model.eval(), ck


@torch.no_grad()
def denoising_errors(model, diffusion, x0, ts, generator, batch=100):
    """Per timestep t of `ts`: x_t = q_sample(x0, t) with fresh noise from `generator` (one draw per t, in order), and
    (MSE of the clipped x0 prediction, MSE of the eps prediction, MSE of the no-denoising baseline x_t / sqrt(abar)
    clipped), all in [-1, 1] scale."""
    rows = []
    for tv in ts:
        t = torch.full((len(x0),), tv, dtype=torch.int64)
        nz = torch.randn(x0.shape, generator=generator)
        xt = diffusion.q_sample(x0, t, nz)
        x0p, epsp = [], []
        for i in range(0, len(x0), batch):
            _, _, a, e = diffusion.p_mean_variance(model(xt[i:i + batch], t[i:i + batch]), xt[i:i + batch],
                                                   t[i:i + batch], clip=True)
            x0p.append(a)
            epsp.append(e)
        x0p, epsp = torch.cat(x0p), torch.cat(epsp)
        base = (xt / float(np.sqrt(diffusion.abar[tv]))).clamp(-1, 1)
        rows.append((((x0p - x0) ** 2).mean().item(), ((epsp - nz) ** 2).mean().item(), ((base - x0) ** 2).mean().item()))
    return rows


# the commit whose model.onnx (step 972, session 1) the second training run started from
INIT_COMMIT = "ef05d80"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", default=os.path.join(HERE, "checkpoints", "fmnist_ddpm.pt"))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--sample-steps", type=int, default=100, help="respaced steps for the sample grid (T: all)")
    p.add_argument("--n-eval", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-samples", action="store_true")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    os.makedirs(MODEL_DIR, exist_ok=True)
    os.makedirs(REF_DIR, exist_ok=True)

    model, ck = load_ema(args.ckpt)
    arch, T = ck["arch"], ck["T"]
    set_attention_impl(model, "einsum")
    nparams = count_parameters(model)
    print("step %d, %.1f min trained, %d parameters" % (ck["step"], ck["train_seconds"] / 60, nparams), flush=True)
    diffusion = Diffusion.linear(T)

    # --- ONNX ---
    onnx_path = os.path.join(MODEL_DIR, "model.onnx")
    x_ex = torch.zeros(2, 1, 32, 32)
    t_ex = torch.tensor([0, 10], dtype=torch.int64)
    buf = io.BytesIO()
    torch.onnx.export(model, (x_ex, t_ex), buf, opset_version=args.opset, input_names=["x", "timesteps"],
                      output_names=["out"], do_constant_folding=True,
                      dynamic_axes={"x": {0: "N"}, "timesteps": {0: "N"}, "out": {0: "N"}})
    with open(onnx_path, "wb") as f:
        f.write(buf.getvalue())
    import onnx
    mp = onnx.load(onnx_path)
    onnx.checker.check_model(mp)
    ops = sorted(set(n.op_type for n in mp.graph.node))
    digest = sha256(onnx_path)
    size_mb = os.path.getsize(onnx_path) / 2 ** 20
    print("wrote %s (%.2f MB, sha256 %s), ops %s" % (onnx_path, size_mb, digest, ops), flush=True)

    # --- reference tensors for the Java side ---
    test = load_images("test")
    g = torch.Generator().manual_seed(1234)
    ref_t = torch.tensor([0, 10, 20, 31, 41, 100, 250, 499], dtype=torch.int64)
    x0 = torch.from_numpy(to_model_range(test[:len(ref_t)]))
    noise = torch.randn(x0.shape, generator=g)
    x_t = diffusion.q_sample(x0, ref_t, noise)
    with torch.no_grad():
        out = model(x_t, ref_t)
        set_attention_impl(model, "matmul")
        out_mm = model(x_t, ref_t)
        set_attention_impl(model, "einsum")
        out_small = model(x_t[:3], ref_t[:3])
    assert torch.allclose(out, out_mm, atol=1e-5), (out - out_mm).abs().max()
    assert torch.allclose(out[:3], out_small, atol=1e-5), (out[:3] - out_small).abs().max()
    for name, arr in [("x0", x0.numpy()), ("noise", noise.numpy()), ("x", x_t.numpy()),
                      ("timesteps", ref_t.numpy()), ("out", out.numpy())]:
        np.save(os.path.join(REF_DIR, name + ".npy"), arr)
    import subprocess
    old = os.path.join(REF_DIR, "x_t.npy")
    if os.path.exists(old):
        os.remove(old)
    res = subprocess.run([sys.executable, os.path.join(HERE, "onnx_numpy_check.py"), onnx_path, REF_DIR],
                         capture_output=True, text=True)
    numpy_check = res.stdout.strip() + (" (OK)" if res.returncode == 0 else " (FAILED: %s)" % res.stderr[-500:])
    print("numpy ONNX check: " + numpy_check, flush=True)
    with open(os.path.join(REF_DIR, "README.md"), "w") as f:
        f.write("# Reference tensors for the shipped Fashion-MNIST diffusion model\n\n"
                "Made by `scripts/export_fmnist_diffusion.py` together with\n"
                "`ace-examples/src/main/resources/models/fmnist-ddpm/model.onnx` (sha256 `%s`).\n\n"
                "- `x0.npy` float32 [8,1,32,32]: the first 8 Fashion-MNIST test images, zero-padded to 32x32, in [-1,1]\n"
                "- `noise.npy` float32 [8,1,32,32]: standard normal noise (torch generator seed 1234)\n"
                "- `timesteps.npy` int64 [8]: %s (original timesteps of the T=%d schedule)\n"
                "- `x.npy` float32 [8,1,32,32]: the model input x_t = q_sample(x0, t, noise) = sqrt(abar_t) x0 + sqrt(1-abar_t) noise\n"
                "- `out.npy` float32 [8,2,32,32]: PyTorch 1.13 float32 output of the EMA model on (x, timesteps);\n"
                "  channel 0 = eps, channel 1 = v (learned-range variance interpolation, frac = (v+1)/2)\n\n"
                "PyTorch einsum and matmul attention agree to 1e-5; a batch of 3 gives the same first 3 outputs.\n"
                "`/usr/bin/python3 scripts/onnx_numpy_check.py <model.onnx> <this folder>` runs the ONNX file with a\n"
                "NumPy interpreter in float64 and compares with `out.npy`: %s\n"
                % (digest, ref_t.tolist(), T, numpy_check))

    # --- denoising error by noise level ---
    n_eval = args.n_eval
    ev = torch.from_numpy(to_model_range(test[:n_eval]))
    g = torch.Generator().manual_seed(args.seed + 7)
    rows = []
    ts = [10, 25, 50, 100, 200, 400]
    for tv, (mse_x0, mse_eps, mse_base) in zip(ts, denoising_errors(model, diffusion, ev, ts, g)):
        rows.append((tv, float(np.sqrt(1 - diffusion.abar[tv])), mse_x0, mse_x0 / 4, mse_eps, mse_base))
        print("t=%d  mse(x0) %.5f  ([0,1] %.5f)  mse(eps) %.4f  baseline %.4f" %
              (tv, mse_x0, mse_x0 / 4, mse_eps, mse_base), flush=True)

    # --- samples ---
    samples_png = os.path.join(MODEL_DIR, "samples.png")
    sample_note = "not regenerated (--skip-samples)"
    if not args.skip_samples:
        sd = Diffusion.linear(T) if args.sample_steps >= T else Diffusion.respaced(T, args.sample_steps)
        g = torch.Generator().manual_seed(args.seed)
        t0 = time.time()
        with torch.no_grad():
            samples = sd.sample(model, (64, 1, 32, 32), generator=g)
        write_png_gray(samples_png, grid(samples))
        sample_note = ("64 samples from pure noise, ancestral sampling over %d %s steps with the learned "
                       "variance, x0 clipped to [-1,1], torch seed %d (%.0f s on %d thread(s))"
                       % (sd.T, "respaced" if sd.T < T else "(all)", args.seed, time.time() - t0, args.threads))
        print(sample_note, flush=True)

    with open(os.path.join(MODEL_DIR, "loss_log.csv"), "w") as f:
        f.write("step,train_seconds,loss,mse,vb,lr\n")
        for r in ck["loss_log"]:
            f.write("%d,%.1f,%.6f,%.6f,%.6f,%.3g\n" % tuple(r))
    loss_png = os.path.join(MODEL_DIR, "loss_curve.png")
    have_plot = plot_loss(ck["loss_log"], loss_png)

    # --- model card ---
    hp = ck["hparams"]
    last = ck["loss_log"][-1] if ck["loss_log"] else None
    tail = np.array(ck["loss_log"][-20:], dtype=np.float64) if ck["loss_log"] else None
    runs = list(ck.get("runs", []))
    if not runs or runs[0]["start_step"] > 0:
        # the first run predates the run history in the checkpoint (its options as launched)
        runs.insert(0, dict(argv=["--threads", "1", "--max-minutes", "75", "--log-every", "25"], start_step=0))
    def run_cmd(r):
        argv = list(r["argv"])
        pre = ""
        if "--init-onnx" in argv:
            # the run started from an earlier export that this export replaces: recover it from git first
            i = argv.index("--init-onnx")
            pre = ("git show %s:ace-examples/src/main/resources/models/fmnist-ddpm/model.onnx > /tmp/fmnist_ddpm_init.onnx\n"
                   "git show %s:ace-examples/src/main/resources/models/fmnist-ddpm/loss_log.csv > /tmp/fmnist_ddpm_init_loss.csv\n"
                   % (INIT_COMMIT, INIT_COMMIT))
            argv[i + 1] = "/tmp/fmnist_ddpm_init.onnx"
            if "--init-log" in argv:
                argv[argv.index("--init-log") + 1] = "/tmp/fmnist_ddpm_init_loss.csv"
        return "# from step %d%s\n%snohup nice -n 5 /usr/bin/python3 scripts/train_fmnist_diffusion.py %s >> train.log 2>&1 &" % (
            r["start_step"], " (%s)" % r["started"] if "started" in r else "", pre, " ".join(argv))

    train_cmd = "\n".join(run_cmd(r) for r in runs)
    export_cmd = "nice -n 10 /usr/bin/python3 scripts/export_fmnist_diffusion.py " + " ".join(sys.argv[1:])
    fstep = respaced_timesteps(T, 50)[:5].tolist()
    lines = [
        "# Fashion-MNIST diffusion model (fmnist-ddpm)",
        "",
        "The default diffusion model of ACE for the JVM: a DDPM over 1x32x32 Fashion-MNIST images, used by the",
        "diffusion filter F_tau (T=%d, respacing 50, fraction 0.1 -> S=5, original t = %s) and by the inpainting"
        " refinement." % (T, fstep),
        "",
        "## Files",
        "",
        "- `model.onnx`: opset %d, %.2f MB, SHA-256 `%s`" % (args.opset, size_mb, digest),
        "  - input `x` float32 [N,1,32,32]: the noisy image x_t in [-1,1] scale (clean images are x/255 in [0,1],"
        " 28x28 zero-padded by 2 px, mapped by 2x-1)",
        "  - input `timesteps` int64 [N]: the original timestep t in 0..%d (not the respaced index)" % (T - 1),
        "  - output `out` float32 [N,2,32,32]: channel 0 = predicted noise eps, channel 1 = v for the learned-range"
        " variance, frac = (v+1)/2, log var = frac*log(beta_t) + (1-frac)*log(posterior var clipped)",
        "  - batch axis dynamic; ONNX ops: %s" % ", ".join(ops),
        "- `samples.png`: %s" % sample_note,
        "- `loss_curve.png`: training loss per logging window" + ("" if have_plot else " (not drawn: no matplotlib)")
        + "; the numbers are in `loss_log.csv` (step, training seconds, hybrid loss, MSE, VLB term, lr)",
        "- Reference tensors for the Java translator: `ace-examples/src/test/resources/fmnist-ddpm/` (see its README).",
        "",
        "## Architecture",
        "",
        "`scripts/ace_torch/unet.py` `UNetModel` (OpenAI guided-diffusion layout, written from its description):",
        "",
        "```",
        json.dumps(arch, sort_keys=True),
        "```",
        "",
        "attention_resolutions are downsample factors (4 = attention at 8x8 and in the middle block). Legacy QKV"
        " attention layout, GroupNorm with 32 groups (computed in float32), SiLU, scale-shift norm, resblock"
        " up/down sampling, sinusoidal timestep embedding [cos, sin] (max period 10000) -> Linear-SiLU-Linear"
        " (4C = %d)." % (4 * arch["model_channels"]),
        "",
        "**Parameters: %d** (%.2f M)." % (nparams, nparams / 1e6),
        "",
        "## Data",
        "",
        "Fashion-MNIST training set (60,000 images, Debian package `dataset-fashion-mnist`, MIT licence), read from"
        " `/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz`; 28x28 zero-padded to 32x32, /255, 2x-1;"
        " random horizontal flips. Labels are not used (unconditional model). The test set (first %d images)"
        " is used only for the evaluation below." % n_eval,
        "",
        "## Diffusion and training",
        "",
        "- Schedule: T=%d, linear betas from s*1e-4 to s*0.02 with s = 1000/T (float64)." % T,
        "- Learned-range variance; hybrid loss of Improved DDPM: MSE(eps) + lambda*L_vlb with lambda = 0.001,"
        " i.e. per sample MSE + (T/1000) * L_t in bits/dim, with a stop-gradient on the mean in the VLB term"
        " (L_0 is the discretised Gaussian decoder NLL). Timesteps sampled uniformly.",
        "- Adam, lr %g with %d warm-up steps, batch %d, gradient-norm clip %g, EMA decay %g (with the"
        " min(decay, (1+n)/(10+n)) warm-up); the exported weights are the EMA weights." % (
            hp["lr"], hp["warmup"], hp["batch"], hp["grad_clip"], hp["ema"]),
        "- Trained on CPU (PyTorch %s, shared 2-core machine): **%d steps** (%d images seen, %.2f"
        " epochs) in **%.1f minutes** of training time, in %d run(s) (commands below; the last with %d thread(s))."
        " The machine was shared with other jobs, so the time says little about throughput: alone, a step takes"
        " about 1.0 s on 1 thread and 0.6 s on 2." % (
            torch.__version__, ck["step"], ck["step"] * hp["batch"], ck["step"] * hp["batch"] / 60000,
            ck["train_seconds"] / 60, len(runs), hp["threads"]),
        "- A run started with --init-onnx continues from an earlier export's EMA weights (model and EMA both), with"
        " a fresh Adam state and a new lr warm-up; the step count and the loss log carry over.",
    ]
    if last is not None:
        lines.append("- Loss over the last %d logging windows (%d steps each): hybrid %.4f, MSE(eps) %.4f, VLB term"
                     " %.4f; last window (step %d): %.4f / %.4f / %.4f." % (
                         len(tail), hp["log_every"], tail[:, 2].mean(), tail[:, 3].mean(), tail[:, 4].mean(),
                         last[0], last[2], last[3], last[4]))
    lines += ["", "![loss curve](loss_curve.png)", "", "## Samples", "", sample_note + ":", "",
              "![samples](samples.png)", "",
              "## Denoising error by noise level", "",
              "x_t = q_sample(x0, t) on the first %d test images (fresh noise, seed %d); the model predicts eps and"
              " x0 = sqrt(1/abar) x_t - sqrt(1/abar - 1) eps, clipped to [-1,1]. MSE in [-1,1] scale (and in"
              " [0,1] scale = /4). Baseline: x_t / sqrt(abar) clipped, i.e. no denoising." % (n_eval, args.seed + 7),
              "",
              "| t | sqrt(1-abar_t) | MSE(x0) [-1,1] | MSE(x0) [0,1] | MSE(eps) | baseline MSE [-1,1] |",
              "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append("| %d | %.3f | %.5f | %.5f | %.4f | %.4f |" % r)
    lines += ["", "## How it was made", "",
              "```",
              "apt-get install -y dataset-fashion-mnist python3-torch python3-onnx python3-matplotlib",
              train_cmd,
              "# (each run resumes from its --ckpt, default scripts/checkpoints/fmnist_ddpm.pt, when rerun)",
              export_cmd,
              "```",
              "",
              "Checkpoint step %d; card written %s UTC." % (
                  ck["step"], datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M")), ""]
    with open(os.path.join(MODEL_DIR, "MODEL_CARD.md"), "w") as f:
        f.write("\n".join(lines))
    print("wrote %s" % os.path.join(MODEL_DIR, "MODEL_CARD.md"), flush=True)


if __name__ == "__main__":
    main()
