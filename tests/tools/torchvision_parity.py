#!/usr/bin/env python3
"""Writes torchvision reference checkpoints and layer outputs for the C++ backbone parity tests.

Run with Debian's /usr/bin/python3 (python3-torchvision). For each architecture it builds the torchvision model with
seeded random weights (batch-norm statistics randomised too, so they are exercised), saves the state dict exactly as
torch.save(model.state_dict()) does, and saves the outputs of the hyperpixel layers for a fixed input -- computed
from torchvision's own modules, independently of the C++ code -- in a second state-dict-style file.

usage: torchvision_parity.py OUTPUT_DIR [ARCH ...]
"""
import os
import sys

import torch
import torchvision

# Layer ids captured per architecture (a spread over every stage, including the deepest layer).
CAPTURE = {
    "resnet50": [0, 1, 3, 4, 7, 8, 11, 12, 13, 14, 16],
    "resnet101": [0, 2, 4, 8, 17, 21, 22, 25, 26, 28, 30, 31, 33],
    "fcn_resnet101": [0, 2, 4, 5, 8, 18, 19, 20, 24, 32, 33],
    "mobilenet_v2": list(range(19)),
}
INPUT_SIZE = (1, 3, 97, 131)  # odd sizes exercise padding and rounding at every stride


def build(arch):
    torch.manual_seed(0)
    if arch == "resnet50":
        return torchvision.models.resnet50(), None
    if arch == "resnet101":
        return torchvision.models.resnet101(), None
    if arch == "fcn_resnet101":
        model = torchvision.models.segmentation.fcn_resnet101(weights=None, weights_backbone=None, aux_loss=True)
        return model, model.backbone
    if arch == "mobilenet_v2":
        return torchvision.models.mobilenet_v2(), None
    raise SystemExit("unknown architecture " + arch)


def randomise_batchnorm(model):
    gen = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            n = module.num_features
            module.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
            module.running_var.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            module.weight.data.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            module.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)


def resnet_layers(net, x, ids):
    """Reference semantics: id 0 = stem after max-pool; ids 1.. = bottlenecks before their final ReLU."""
    out = {}
    x = net.maxpool(net.relu(net.bn1(net.conv1(x))))
    if 0 in ids:
        out[0] = x.clone()
    hid = 0
    for stage in (net.layer1, net.layer2, net.layer3, net.layer4):
        for block in stage:
            hid += 1
            identity = x if block.downsample is None else block.downsample(x)
            y = block.relu(block.bn1(block.conv1(x)))
            y = block.relu(block.bn2(block.conv2(y)))
            y = block.bn3(block.conv3(y)) + identity
            if hid in ids:
                out[hid] = y.clone()
            x = torch.relu(y)
    return out


def mobilenet_layers(net, x, ids):
    out = {}
    for i, layer in enumerate(net.features):
        x = layer(x)
        if i in ids:
            out[i] = x.clone()
    return out


def main():
    out_dir = sys.argv[1]
    archs = sys.argv[2:] or list(CAPTURE)
    os.makedirs(out_dir, exist_ok=True)
    torch.set_grad_enabled(False)
    for arch in archs:
        model, backbone = build(arch)
        randomise_batchnorm(model)
        model.eval()
        torch.save(model.state_dict(), os.path.join(out_dir, arch + ".pth"))
        image = torch.randn(INPUT_SIZE, generator=torch.Generator().manual_seed(2))
        ids = CAPTURE[arch]
        if arch == "mobilenet_v2":
            layers = mobilenet_layers(model, image, ids)
        else:
            layers = resnet_layers(backbone if backbone is not None else model, image, ids)
        outputs = {"input": image}
        for i, value in layers.items():
            outputs["layer.%d" % i] = value
        if backbone is None:
            outputs["logits"] = model(image)
        torch.save(outputs, os.path.join(out_dir, arch + "_outputs.pth"))
        print("wrote", arch, "layers", ids)


if __name__ == "__main__":
    main()
