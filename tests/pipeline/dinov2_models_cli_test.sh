#!/usr/bin/env bash
# DINOv2 through the `hpf` binary, with checkpoints this test writes (tests/tools/make_dinov2_checkpoint.py:
# the official layout, seeded random weights):
#  1. real-size ViT-S/14 and ViT-B/14 load by name and run at the default 518-px side: a 600 x 450 image is
#     resized to 518 x 388, padded to 518 x 392, and each block is a (C, 28, 37) map;
#  2. a checkpoint of another size is refused by name, saying what it holds;
#  3. ViT-g's SwiGLU MLP (a small SwiGLU model through --backbone dinov2) equals the official block formula,
#     written out in torch below, on every block;
#  4. `hpf match`, `hpf eval` and `hpf search` run with DINOv2 blocks as hyperpixel layers.
# usage: dinov2_models_cli_test.sh PATH/TO/hpf TOOLS_DIR    (needs HPF_TEST_PYTHON with torch, numpy, PIL)
set -euo pipefail
hpf="$1"
tools="$2"
python="${HPF_TEST_PYTHON:-/usr/bin/python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Images and a PF-WILLOW-format dataset (1 category x 3 images, 6 pairs).
"$python" - "$work" <<'PY'
import os, random, sys
import numpy as np
from PIL import Image
root = sys.argv[1]
rng = np.random.default_rng(5)
def photo(w, h):  # smooth colour blobs plus noise: something to match
    small = rng.integers(0, 255, (h // 40 + 1, w // 40 + 1, 3), dtype=np.uint8)
    big = np.array(Image.fromarray(small).resize((w, h), Image.BILINEAR), dtype=np.int32)
    return Image.fromarray(np.clip(big + rng.integers(-20, 20, (h, w, 3)), 0, 255).astype(np.uint8))
photo(600, 450).save(os.path.join(root, "a.png"))
photo(450, 600).save(os.path.join(root, "b.png"))
photo(518, 518).save(os.path.join(root, "square.png"))
os.makedirs(os.path.join(root, "data", "duck(S)"))
random.seed(5)
kps = []
for i in range(3):
    w, h = 200 + 30 * i, 180 - 20 * i
    photo(w, h).save(os.path.join(root, "data", "duck(S)", "img%d.png" % i))
    kps.append([random.uniform(5, w - 5) for _ in range(10)] + [random.uniform(5, h - 5) for _ in range(10)])
header = ["imageA", "imageB"] + ["%s%d" % (p, k) for p in ("XA", "YA", "XB", "YB") for k in range(1, 11)]
with open(os.path.join(root, "data", "test_pairs.csv"), "w") as f:
    f.write(",".join(header) + "\n")
    for a in range(3):
        for b in range(3):
            if a != b:
                row = ["PF-dataset/duck(S)/img%d.png" % a, "PF-dataset/duck(S)/img%d.png" % b]
                f.write(",".join(row + ["%r" % v for v in kps[a] + kps[b]]) + "\n")
PY

# 1. Real-size models at 518 px.
for model in dinov2_vits14:384 dinov2_vitb14:768; do
  name="${model%%:*}"
  width="${model##*:}"
  "$python" "$tools/make_dinov2_checkpoint.py" "$work/$name.pth" "$name"
  "$hpf" features "$work/a.png" --backbone "$name" --weights "$work/$name.pth" --layers 0,11 --device cpu \
    --output "$work/features-$name" > /dev/null
  "$python" - "$work/features-$name" "$name" "$width" <<'PY'
import json, sys
import numpy as np
out, name, width = sys.argv[1], sys.argv[2], int(sys.argv[3])
meta = json.load(open(out + "/features.json"))
assert meta["backbone"] == name, meta["backbone"]
assert meta["input_size"] == [518, 388], meta["input_size"]
assert meta["padded_input_size"] == [518, 392], meta["padded_input_size"]
for layer in meta["layers"]:
    assert (layer["jump"], layer["receptive_field"], layer["box_offset"]) == (14, 14, 7), layer
    block = np.load(out + "/" + layer["file"])
    assert block.shape == (width, 28, 37), block.shape
    assert np.isfinite(block).all()
print(f"{name}: blocks {[l['id'] for l in meta['layers']]} are ({width}, 28, 37) maps at 518 x 388")
PY
done

# 2. A ViT-S checkpoint named as ViT-B is refused, naming both.
if "$hpf" features "$work/a.png" --backbone dinov2_vitb14 --weights "$work/dinov2_vits14.pth" --device cpu \
  --output "$work/wrong" 2> "$work/wrong.err"; then
  echo "a ViT-S checkpoint loaded as dinov2_vitb14"; exit 1
fi
grep -q "holds a DINOv2 with embedding width 384, 12 blocks" "$work/wrong.err"
grep -q "dinov2_vitb14 has embedding width 768" "$work/wrong.err"

# 3. SwiGLU blocks against the official formula (518 x 518: the positions need no interpolation).
"$python" "$tools/make_dinov2_checkpoint.py" "$work/swiglu.pth" custom 128 2 4 swiglu
"$hpf" features "$work/square.png" --backbone dinov2 --weights "$work/swiglu.pth" --raw-input --device cpu \
  --output "$work/features-swiglu" > /dev/null
"$python" - "$work" <<'PY'
import json, sys
import numpy as np, torch
import torch.nn.functional as F
from PIL import Image
work = sys.argv[1]
sd = torch.load(work + "/swiglu.pth")
image = torch.tensor(np.asarray(Image.open(work + "/square.png").convert("RGB")), dtype=torch.float32) / 255
mean, std = torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225])
x = ((image - mean) / std).permute(2, 0, 1).unsqueeze(0)
dim = sd["cls_token"].shape[-1]
heads = dim // 64
# DinoVisionTransformer.prepare_tokens_with_masks: patches, class token, positions, then the registers.
t = F.conv2d(x, sd["patch_embed.proj.weight"], sd["patch_embed.proj.bias"], stride=14).flatten(2).transpose(1, 2)
t = torch.cat([sd["cls_token"], t], 1) + sd["pos_embed"]
registers = sd["register_tokens"].shape[1]
t = torch.cat([t[:, :1], sd["register_tokens"], t[:, 1:]], 1)
def norm(v, b, which):
    return F.layer_norm(v, (dim,), sd[b + which + ".weight"], sd[b + which + ".bias"], eps=1e-6)
meta = json.load(open(work + "/features-swiglu/features.json"))
for i in range(2):
    b = "blocks.%d." % i
    # Attention: q * scale, softmax(q k^T) v; then LayerScale.
    y = norm(t, b, "norm1")
    n = y.shape[1]
    qkv = F.linear(y, sd[b + "attn.qkv.weight"], sd[b + "attn.qkv.bias"]).reshape(1, n, 3, heads, 64)
    qkv = qkv.permute(2, 0, 3, 1, 4)
    a = ((qkv[0] * 64 ** -0.5) @ qkv[1].transpose(-2, -1)).softmax(-1)
    o = (a @ qkv[2]).transpose(1, 2).reshape(1, n, dim)
    t = t + F.linear(o, sd[b + "attn.proj.weight"], sd[b + "attn.proj.bias"]) * sd[b + "ls1.gamma"]
    # SwiGLUFFN: x1, x2 = w12(x).chunk(2, dim=-1); w3(silu(x1) * x2).
    x1, x2 = F.linear(norm(t, b, "norm2"), sd[b + "mlp.w12.weight"], sd[b + "mlp.w12.bias"]).chunk(2, dim=-1)
    t = t + F.linear(F.silu(x1) * x2, sd[b + "mlp.w3.weight"], sd[b + "mlp.w3.bias"]) * sd[b + "ls2.gamma"]
    expected = t[0, 1 + registers:].reshape(37, 37, dim).permute(2, 0, 1).numpy()
    ours = np.load(work + "/features-swiglu/layer_%d.npy" % i)
    error = float(np.abs(ours - expected).max() / np.abs(expected).max())
    print(f"SwiGLU block {i}: max error {error:.2e} of the largest value")
    assert error < 1e-4, error
PY

# 4. Matching, evaluation and search with blocks as layers.
"$hpf" match "$work/a.png" "$work/b.png" --backbone dinov2_vits14 --weights "$work/dinov2_vits14.pth" \
  --layers 9,11 --device cpu --output "$work/match" > "$work/match.out"
"$python" - "$work/match/matches.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
text = json.dumps(m)
assert '"max_side": 518' in text, "the default DINOv2 side is not recorded"
assert "dinov2_vits14" in text, "the backbone is not recorded"
print("hpf match with dinov2_vits14 (9,11) at 518 px")
PY
"$python" "$tools/make_dinov2_checkpoint.py" "$work/tiny.pth" custom 128 3 4 gelu
"$hpf" eval --dataset pf-willow --root "$work/data" --backbone dinov2 --weights "$work/tiny.pth" --layers 0-2 \
  --device cpu --output "$work/eval" > "$work/eval.out" 2>&1 || { cat "$work/eval.out"; exit 1; }
"$hpf" search --dataset pf-willow --root "$work/data" --backbone dinov2 --weights "$work/tiny.pth" --beam 2 \
  --depth 2 --device cpu --output "$work/search" > "$work/search.out" 2>&1 || { cat "$work/search.out"; exit 1; }
"$python" - "$work" <<'PY'
import json, sys
work = sys.argv[1]
summary = json.load(open(work + "/eval/summary.json"))
text = json.dumps(summary)
assert summary["backbone"] == "dinov2" and summary["layers"] == "0,1,2", text[:400]
assert sum(1 for _ in open(work + "/eval/pairs.jsonl")) == 6
search = json.load(open(work + "/search/search_summary.json"))
assert "best" in json.dumps(search), search
print("hpf eval (6 pairs) and hpf search (beam 2, depth 2) with dinov2 blocks")
PY
