"""Fashion-MNIST from Debian's IDX files (package dataset-fashion-mnist), as 1x32x32 float images."""
import gzip
import os

import numpy as np

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    ndim = magic & 0xFF
    dtype_code = (magic >> 8) & 0xFF
    if dtype_code != 0x08:
        raise ValueError("%s: expected unsigned byte IDX data, got type 0x%02x" % (path, dtype_code))
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_images(split: str = "train", data_dir: str = DATA_DIR) -> np.ndarray:
    """uint8 [N, 1, 32, 32]: the 28x28 images zero-padded by 2 pixels on each side."""
    name = "train-images-idx3-ubyte.gz" if split == "train" else "t10k-images-idx3-ubyte.gz"
    imgs = read_idx(os.path.join(data_dir, name))
    return np.pad(imgs, ((0, 0), (2, 2), (2, 2)))[:, None]


def load_labels(split: str = "train", data_dir: str = DATA_DIR) -> np.ndarray:
    name = "train-labels-idx1-ubyte.gz" if split == "train" else "t10k-labels-idx1-ubyte.gz"
    return read_idx(os.path.join(data_dir, name)).astype(np.int64)


def to_model_range(u8: np.ndarray) -> np.ndarray:
    """uint8 -> float32 in [-1, 1] (x/255 in [0, 1], then 2x-1)."""
    return u8.astype(np.float32) / 127.5 - 1.0
