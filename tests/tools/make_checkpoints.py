#!/usr/bin/env python3
"""Writes small state dicts with torch.save, plus what torch itself reads back, for the C++ checkpoint tests.

Usage: make_checkpoints.py OUT_DIR [NAME ...]   (default: every checkpoint below)

For each NAME it writes OUT_DIR/NAME.pth and OUT_DIR/NAME.expected.json describing every entry as torch sees it
(dtype, shape, stride, storage offset, which entries share a storage) and OUT_DIR/NAME.expected.bin with the
entries' values, each entry's elements in row-major order as little-endian bytes (entry's "data_offset" and
"nbytes" locate them).
"""

import collections
import json
import os
import sys

try:
    import torch
    import torchvision
except ImportError as error:  # torch is a test dependency: say so plainly
    sys.stderr.write(
        f"make_checkpoints.py: {sys.executable} cannot import torch/torchvision ({error}); "
        "set HPF_TEST_PYTHON to an interpreter that has them (Debian: /usr/bin/python3 with "
        "python3-torch and python3-torchvision)\n")
    sys.exit(3)


def basic_float32():
    torch.manual_seed(1)
    sd = collections.OrderedDict()
    sd["weight"] = torch.randn(4, 3)
    sd["bias"] = torch.randn(4)
    sd["empty"] = torch.zeros(0, 5)
    sd["scalar"] = torch.tensor(3.5)
    sd["special"] = torch.tensor([float("inf"), float("-inf"), -0.0, 1e-45, 3.4e38])
    return sd


def batchnorm():
    # A module's state_dict: carries _metadata and an int64 num_batches_tracked.
    torch.manual_seed(2)
    bn = torch.nn.BatchNorm2d(3)
    bn.train()
    for _ in range(3):
        bn(torch.randn(2, 3, 4, 4))
    return bn.state_dict()


def views():
    # Non-contiguous views and storage offsets; torch.save stores the shared storage once.
    base = torch.arange(60, dtype=torch.float32).reshape(6, 10)
    sd = collections.OrderedDict()
    sd["base"] = base
    sd["transposed"] = base.t()
    sd["strided"] = base[1:5, 2:9:3]
    sd["row"] = base[3]
    sd["expanded"] = torch.arange(3.0).expand(4, 3)
    sd["requires_grad"] = torch.linspace(-1, 1, 5).requires_grad_(True)
    sd["big_offset"] = torch.arange(70000, dtype=torch.float32)[66000:66300]
    return sd


def dtypes():
    torch.manual_seed(3)
    sd = collections.OrderedDict()
    sd["float64"] = torch.randn(3, 2, dtype=torch.float64)
    sd["float16"] = torch.randn(5).half()
    sd["int64"] = torch.tensor([-(2 ** 62), -1, 0, 2 ** 40 + 7], dtype=torch.int64)
    sd["int32"] = torch.tensor([-(2 ** 31), 2 ** 31 - 1], dtype=torch.int32)
    sd["int16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["int8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["uint8"] = torch.tensor([0, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    return sd


def empty_metadata():
    sd = collections.OrderedDict(only=torch.ones(2, 2))
    sd._metadata = collections.OrderedDict()
    return sd


def empty():
    return collections.OrderedDict()


def mobilenet_v2():
    torch.manual_seed(0)
    return torchvision.models.mobilenet_v2().state_dict()


CHECKPOINTS = {f.__name__: f for f in (basic_float32, batchnorm, views, dtypes, empty_metadata, empty, mobilenet_v2)}


def storage_id(tensor):
    return tensor.storage().data_ptr()


def write(out_dir, name):
    state = CHECKPOINTS[name]()
    path = os.path.join(out_dir, name + ".pth")
    torch.save(state, path)
    storages = {}
    entries = []
    blob = bytearray()
    for key, tensor in torch.load(path).items():  # describe what torch reads back, not what was saved
        data = tensor.detach().contiguous().numpy().tobytes()
        entries.append({
            "name": key,
            "dtype": str(tensor.dtype).replace("torch.", ""),
            "shape": list(tensor.shape),
            "stride": list(tensor.stride()),
            "storage_offset": tensor.storage_offset(),
            "storage_group": storages.setdefault(storage_id(tensor), len(storages)),
            "data_offset": len(blob),
            "nbytes": len(data),
        })
        blob += data
    with open(os.path.join(out_dir, name + ".expected.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(out_dir, name + ".expected.json"), "w") as f:
        json.dump({"checkpoint": name + ".pth", "entries": entries}, f)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names = sys.argv[2:] or list(CHECKPOINTS)
    unknown = [n for n in names if n not in CHECKPOINTS]
    if unknown:
        sys.exit(f"make_checkpoints.py: unknown checkpoint(s) {unknown}; known: {list(CHECKPOINTS)}")
    if sys.byteorder != "little":
        sys.exit("make_checkpoints.py: expected values are written in native byte order, which must be little")
    for name in names:
        write(sys.argv[1], name)


if __name__ == "__main__":
    main()
