#!/usr/bin/env python3
"""Writes a DINOv2 state dict with seeded random weights, laid out as the official checkpoints
(facebookresearch/dinov2 `DinoVisionTransformer.state_dict()`, as torch hub loads them), for the C++ tests.

Usage: make_dinov2_checkpoint.py OUT.pth MODEL
       make_dinov2_checkpoint.py OUT.pth custom EMBED DEPTH REGISTERS {gelu|swiglu}

MODEL is a torch hub name (dinov2_vits14, dinov2_vitb14_reg, ...). The shapes below are the official ones,
written out here independently of the C++ code under test: patch 14, img_size 518 (37 x 37 positions), head
dimension 64, MLP ratio 4 (SwiGLUFFNFused: (int(4 * dim * 2 / 3) + 7) // 8 * 8 hidden units), LayerScale,
fused qkv, a mask_token the model does not use at inference.
"""

import collections
import sys

try:
    import torch
except ImportError as error:
    sys.stderr.write(f"make_dinov2_checkpoint.py: {sys.executable} cannot import torch ({error}); set "
                     "HPF_TEST_PYTHON to an interpreter that has it (Debian: /usr/bin/python3)\n")
    sys.exit(3)

SIZES = {"s": (384, 12, "gelu"), "b": (768, 12, "gelu"), "l": (1024, 24, "gelu"), "g": (1536, 40, "swiglu")}


def state_dict(embed, depth, registers, mlp, seed=0):
    generator = torch.Generator().manual_seed(seed)

    def normal(*shape):
        return torch.randn(*shape, generator=generator) * 0.02

    hidden = 4 * embed if mlp == "gelu" else (int(4 * embed * 2 / 3) + 7) // 8 * 8
    sd = collections.OrderedDict()
    sd["cls_token"] = normal(1, 1, embed)
    sd["pos_embed"] = normal(1, 37 * 37 + 1, embed)
    if registers:
        sd["register_tokens"] = normal(1, registers, embed)
    sd["mask_token"] = torch.zeros(1, embed)
    sd["patch_embed.proj.weight"] = normal(embed, 3, 14, 14)
    sd["patch_embed.proj.bias"] = normal(embed)
    for i in range(depth):
        b = "blocks.%d." % i
        sd[b + "norm1.weight"] = 1 + normal(embed)
        sd[b + "norm1.bias"] = normal(embed)
        sd[b + "attn.qkv.weight"] = normal(3 * embed, embed)
        sd[b + "attn.qkv.bias"] = normal(3 * embed)
        sd[b + "attn.proj.weight"] = normal(embed, embed)
        sd[b + "attn.proj.bias"] = normal(embed)
        sd[b + "ls1.gamma"] = 1 + normal(embed)
        sd[b + "norm2.weight"] = 1 + normal(embed)
        sd[b + "norm2.bias"] = normal(embed)
        if mlp == "gelu":
            sd[b + "mlp.fc1.weight"] = normal(hidden, embed)
            sd[b + "mlp.fc1.bias"] = normal(hidden)
            sd[b + "mlp.fc2.weight"] = normal(embed, hidden)
            sd[b + "mlp.fc2.bias"] = normal(embed)
        else:
            sd[b + "mlp.w12.weight"] = normal(2 * hidden, embed)
            sd[b + "mlp.w12.bias"] = normal(2 * hidden)
            sd[b + "mlp.w3.weight"] = normal(embed, hidden)
            sd[b + "mlp.w3.bias"] = normal(embed)
        sd[b + "ls2.gamma"] = 1 + normal(embed)
    sd["norm.weight"] = 1 + normal(embed)
    sd["norm.bias"] = normal(embed)
    return sd


def main(argv):
    if len(argv) == 3 and argv[2].startswith("dinov2_vit"):
        name = argv[2]
        embed, depth, mlp = SIZES[name[len("dinov2_vit")]]
        registers = 4 if name.endswith("_reg") else 0
    elif len(argv) == 7 and argv[2] == "custom":
        embed, depth, registers, mlp = int(argv[3]), int(argv[4]), int(argv[5]), argv[6]
    else:
        sys.stderr.write(__doc__)
        return 2
    torch.save(state_dict(embed, depth, registers, mlp), argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
