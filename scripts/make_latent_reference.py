#!/usr/bin/python3
"""Writes the reference of the latent-space methods (ace-attacks LatentAttacksReferenceTest).

Into ace-attacks/src/test/resources/latent/:
  decoder.onnx     a tiny decoder, code (z, a) of 4 + 2 values -> Linear -> ConvTranspose x2 -> sigmoid -> [N, 1, 8, 8]
  classifier.onnx  a tiny 3-class CNN on [N, 1, 8, 8] images in [0, 1]
  z0.npy           start codes [6, 6] (float32); targets.npy: one target class per code (int64)
  aip_codes.npy, aip_iterations.npy   AIP after at most 10 iterations: the codes and the steps each sample took
  cf_codes.npy, cf_iterations.npy     Counterfactual Attack (Adam) after at most 10 steps

Both methods are written here from the papers, independently of the Java code, in float64 (the models' float32
weights promoted), one sample at a time (their losses are per sample):
  AIP (Yang et al. 2021, Algorithm 1): while the prediction is not the target and n < n_max: loss = CE(C(D(z, a)), t)
    + alpha ||(z, a) - (z0, a0)||_2; z -= mu grad_z, a -= gamma grad_a; mu *= beta, gamma *= beta.
  Counterfactual Attack (Goldwasser and Hooker 2025): while p_t(C(D(w))) < threshold and n < max: Adam step on
    loss = -p_t (torch.optim.Adam's update, written out).
Usage: /usr/bin/python3 scripts/make_latent_reference.py   (deterministic)
"""
import io
import os

import numpy as np
import onnx
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'ace-attacks', 'src', 'test', 'resources', 'latent')
Z, A = 4, 2
AIP = dict(alpha=1.5, beta=0.9, mu=2.0, gamma=3.0, n_max=10)
CF = dict(lr=0.05, threshold=0.75, n_max=10, beta1=0.9, beta2=0.999, eps=1e-8)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(Z + A, 8 * 4 * 4)
        self.up = nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1)
        self.out = nn.ConvTranspose2d(4, 1, 3, padding=1)

    def forward(self, code):
        h = torch.relu(self.fc(code)).reshape(-1, 8, 4, 4)
        return torch.sigmoid(self.out(torch.relu(self.up(h))))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 3)

    def forward(self, x):
        return self.fc(torch.flatten(torch.relu(self.conv(4 * x - 2)), 1))  # centred: reads contrast, not brightness


def export(model, example, name, in_name, out_name):
    buf = io.BytesIO()
    torch.onnx.export(model, (example,), buf, input_names=[in_name], output_names=[out_name],
                      dynamic_axes={in_name: {0: 'N'}, out_name: {0: 'N'}}, opset_version=13, do_constant_folding=True)
    onnx.checker.check_model(onnx.load_from_string(buf.getvalue()))
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(buf.getvalue())


def aip(dec, clf, z0, t):
    z = z0.clone()
    steps = torch.tensor([AIP['mu']] * Z + [AIP['gamma']] * A, dtype=torch.float64)
    for n in range(AIP['n_max']):
        z = z.detach().requires_grad_(True)
        logits = clf(dec(z[None]))[0]
        if int(torch.argmax(logits)) == t:
            return z.detach(), n
        d = z - z0
        dist = torch.sqrt((d * d).sum())
        loss = -torch.log_softmax(logits, 0)[t] + (AIP['alpha'] * dist if n > 0 else 0)  # |d| = 0 at n = 0: no gradient
        g, = torch.autograd.grad(loss, z)
        z = z.detach() - steps * AIP['beta'] ** n * g
    return z.detach(), AIP['n_max']


def counterfactual_attack(dec, clf, z0, t):
    z = z0.clone()
    m = torch.zeros_like(z)
    v = torch.zeros_like(z)
    for n in range(CF['n_max']):
        z = z.detach().requires_grad_(True)
        p = torch.softmax(clf(dec(z[None]))[0], 0)
        if float(p[t]) >= CF['threshold']:
            return z.detach(), n
        g, = torch.autograd.grad(-p[t], z)
        m = CF['beta1'] * m + (1 - CF['beta1']) * g
        v = CF['beta2'] * v + (1 - CF['beta2']) * g * g
        mh = m / (1 - CF['beta1'] ** (n + 1))
        vh = v / (1 - CF['beta2'] ** (n + 1))
        z = z.detach() - CF['lr'] * mh / (torch.sqrt(vh) + CF['eps'])
    return z.detach(), CF['n_max']


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20261203)
    dec, clf = Decoder().eval(), Classifier().eval()
    with torch.no_grad():  # scaled so that some codes flip within the 10 steps and some do not
        clf.fc.weight.mul_(10.0)
        clf.fc.bias.zero_()
        dec.fc.weight.mul_(3.0)
        dec.up.weight.mul_(2.0)
        dec.out.weight.mul_(2.0)
    z0 = (torch.randn(6, Z + A) * 0.8).float()
    export(dec, z0, 'decoder.onnx', 'code', 'image')
    export(clf, dec(z0).detach(), 'classifier.onnx', 'image', 'logits')
    with torch.no_grad():
        pred = clf(dec(z0)).argmax(1)
    targets = ((pred + 1) % 3).numpy().astype(np.int64)
    np.save(os.path.join(OUT, 'z0.npy'), z0.numpy())
    np.save(os.path.join(OUT, 'targets.npy'), targets)

    dec64, clf64 = dec.double(), clf.double()
    z64 = z0.double()
    for name, method in (('aip', aip), ('cf', counterfactual_attack)):
        codes, its = zip(*(method(dec64, clf64, z64[i], int(targets[i])) for i in range(len(targets))))
        np.save(os.path.join(OUT, name + '_codes.npy'), torch.stack(codes).numpy())
        np.save(os.path.join(OUT, name + '_iterations.npy'), np.array(its, dtype=np.int64))
        print(name, 'iterations', list(its))


if __name__ == '__main__':
    main()
