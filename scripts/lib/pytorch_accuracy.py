#!/usr/bin/env python3
"""The test accuracy of a model written by `mpitrain export --format pytorch`, computed outside mpitrain.

    python3 scripts/lib/pytorch_accuracy.py MODEL.safetensors DATA_DIR

Loads MODEL into nn.Sequential with torch and safetensors when both are installed, else runs it
in numpy (reading the file with the safetensors package when installed, else with numpy alone);
runs the MNIST test images of DATA_DIR (t10k-*-ubyte) through it and prints one JSON line:
{"accuracy", "correct", "images", "loader"}.
"""
import importlib.util
import json
import struct
import sys
from collections import OrderedDict

import numpy as np


def idx(path):
    """An uncompressed IDX file as a numpy array."""
    raw = open(path, "rb").read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def read_safetensors(path):
    """(tensors, metadata) of an F32 safetensors file: through the safetensors package when it is
    installed, else parsed with numpy alone."""
    try:
        from safetensors import safe_open
        with safe_open(path, "np") as file:
            return {name: file.get_tensor(name) for name in file.keys()}, file.metadata()
    except ImportError:
        pass
    raw = open(path, "rb").read()
    length = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + length])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + length:]
    tensors = {name: np.frombuffer(data[entry["data_offsets"][0]:entry["data_offsets"][1]], "<f4").reshape(entry["shape"])
               for name, entry in header.items()}
    return tensors, metadata


def torch_logits(path, images):
    import torch
    import torch.nn as nn
    from safetensors import safe_open
    from safetensors.torch import load_file

    metadata = safe_open(path, "pt").metadata()
    widths = [int(w) for w in metadata["layers"].split(",")]
    activations = metadata["activations"].split(",") if metadata["activations"] else []
    modules = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
    layers = []
    for i, (inputs, outputs) in enumerate(zip(widths, widths[1:])):
        layers.append((f"fc{i + 1}", nn.Linear(inputs, outputs)))
        if i < len(activations):
            layers.append((f"act{i + 1}", modules[activations[i]]()))
    model = nn.Sequential(OrderedDict(layers))
    model.load_state_dict(load_file(path))
    with torch.no_grad():
        return model(torch.from_numpy(images)).numpy(), metadata


def numpy_logits(path, images):
    tensors, metadata = read_safetensors(path)
    functions = {"relu": lambda x: np.maximum(x, 0), "tanh": np.tanh, "sigmoid": lambda x: 1 / (1 + np.exp(-x))}
    activations = metadata["activations"].split(",") if metadata["activations"] else []
    x = images
    for i in range(len(metadata["layers"].split(",")) - 1):
        x = x @ tensors[f"fc{i + 1}.weight"].T + tensors[f"fc{i + 1}.bias"]
        if i < len(activations):
            x = functions[activations[i]](x)
    return x, metadata


def main():
    path, data = sys.argv[1], sys.argv[2]
    images = idx(f"{data}/t10k-images-idx3-ubyte")
    images = images.reshape(images.shape[0], -1).astype(np.float32) / 255   # [N, rows*columns]
    labels = idx(f"{data}/t10k-labels-idx1-ubyte")
    try:
        logits, metadata = torch_logits(path, images)
        loader = "torch"
    except ImportError:
        logits, metadata = numpy_logits(path, images)
        loader = "safetensors+numpy" if importlib.util.find_spec("safetensors") else "numpy"
    if metadata["output"] == "softmax":
        predicted, truth = logits.argmax(axis=1), labels
    else:
        predicted, truth = logits[:, 0] > 0, labels == int(metadata["positive_class"])
    correct = int((predicted == truth).sum())
    print(json.dumps({"accuracy": correct / len(labels), "correct": correct, "images": len(labels), "loader": loader}))


main()
