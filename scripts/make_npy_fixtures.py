#!/usr/bin/python3
"""Writes the small .npy / .npz fixtures that ace-core's NpyTest and NpzTest read (numpy-written files).

Run from the repository root:  /usr/bin/python3 scripts/make_npy_fixtures.py
Values follow simple formulas of the flat C-order index i so the Java tests can recompute them:
  float:  i * 0.25 - 2.5      int: i * 1000 - 7 (int64: i * 10**12 - 7)      uint8: (i * 37) % 256      bool: i % 3 == 0
"""
import os
import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ace-core", "src", "test", "resources", "npy")
SHAPE = (2, 3, 4)


def values(kind, shape=SHAPE):
    i = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    if kind == "f":
        return i * 0.25 - 2.5
    if kind == "i4":
        return i * 1000 - 7
    if kind == "i8":
        return i * 10**12 - 7
    if kind == "u1":
        return (i * 37) % 256
    if kind == "b1":
        return i % 3 == 0
    raise ValueError(kind)


def save(name, arr, version=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        npformat.write_array(f, arr, version=version, allow_pickle=False)
    back = np.load(path)
    assert back.dtype == arr.dtype and back.shape == arr.shape and np.array_equal(back, arr), name
    print(f"{name}: {arr.dtype.str} {arr.shape} fortran={np.isfortran(arr)} {os.path.getsize(path)} bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    save("f4_le.npy", values("f").astype("<f4"))
    save("f4_be.npy", values("f").astype(">f4"))
    save("f8_le.npy", values("f").astype("<f8"))
    save("f8_be.npy", values("f").astype(">f8"))
    save("i4_le.npy", values("i4").astype("<i4"))
    save("i4_be.npy", values("i4").astype(">i4"))
    save("i8_le.npy", values("i8").astype("<i8"))
    save("i8_be.npy", values("i8").astype(">i8"))
    save("u1.npy", values("u1").astype("u1"))
    save("b1.npy", values("b1").astype("?"))
    # Fortran order: same logical values, column-major data
    save("f4_fortran.npy", np.asfortranarray(values("f").astype("<f4")))
    save("i8_fortran_2d.npy", np.asfortranarray(values("i8", (3, 5)).astype("<i8")))
    # format versions 2.0 and 3.0 (4-byte header length)
    save("f4_v2.npy", values("f").astype("<f4"), version=(2, 0))
    save("f4_v3.npy", values("f").astype("<f4"), version=(3, 0))
    # edge cases: scalar, 1-D, empty
    save("f8_scalar.npy", np.array(-2.5, dtype="<f8"))
    save("f4_1d.npy", values("f", (7,)).astype("<f4"))
    save("f4_empty.npy", np.zeros((0, 3), dtype="<f4"))

    arrays = {
        "conv/W": values("f", (3, 3, 1, 2)).astype("<f4"),
        "bias": values("f", (2,)).astype("<f4"),
        "labels": values("i8", (5,)).astype("<i8"),
        "mask": values("b1", (2, 2)).astype("?"),
    }
    for name, fn in (("stored.npz", np.savez), ("deflated.npz", np.savez_compressed)):
        path = os.path.join(OUT, name)
        fn(path, **arrays)
        with np.load(path) as z:
            assert sorted(z.files) == sorted(arrays), z.files
            for k, v in arrays.items():
                assert np.array_equal(z[k], v) and z[k].dtype == v.dtype, k
        print(f"{name}: {sorted(arrays)} {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
