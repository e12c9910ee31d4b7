#!/usr/bin/env python3
"""torchvision's ImageNet top-1 on real photos shipped by Debian's python3-skimage, for the C++ comparison.

usage: imagenet_top1.py WEIGHTS OUTPUT.pth PHOTO...
Writes a state-dict-style file with, per photo i, "input.i" (the normalised 1x3x224x224 tensor torchvision's
standard eval transform makes) and "logits.i" (mobilenet_v2 with WEIGHTS on it).
"""
import sys

import torch
import torchvision
from PIL import Image
from torchvision import transforms

weights, output, photos = sys.argv[1], sys.argv[2], sys.argv[3:]
model = torchvision.models.mobilenet_v2()
model.load_state_dict(torch.load(weights, map_location="cpu"))
model.eval()
transform = transforms.Compose([
    transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
result = {}
with torch.no_grad():
    for i, path in enumerate(photos):
        x = transform(Image.open(path).convert("RGB")).unsqueeze(0)
        result["input.%d" % i] = x
        result["logits.%d" % i] = model(x)
        print(path, int(result["logits.%d" % i].argmax()))
torch.save(result, output)
