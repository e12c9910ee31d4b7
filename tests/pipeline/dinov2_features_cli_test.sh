#!/usr/bin/env bash
# `hpf features --backbone dinov2 --weights … --raw-input` on the DINOv2 fixtures' input.png: every block's patch
# map (layer_<i>.npy) within 1e-4 of the largest magnitude of the official model's (../shared/reference/dinov2),
# with and without registers. Skipped (exit 77) without HPF_SHARED_DIR.
set -euo pipefail
hpf="$1"
python="${HPF_TEST_PYTHON:-/usr/bin/python3}"
if [ -z "${HPF_SHARED_DIR:-}" ]; then
  echo "HPF_SHARED_DIR is not set: DINOv2 feature parity not run (.ci/run sets it to ../shared)"
  exit 77
fi
fixtures="$HPF_SHARED_DIR/reference/dinov2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for model in tiny tiny_reg4; do
  "$hpf" features "$fixtures/input.png" --backbone dinov2 --weights "$fixtures/dinov2_${model}_random.pth" \
    --raw-input --device cpu --output "$work/$model" > /dev/null
  "$python" - "$work/$model" "$fixtures/dinov2_${model}_outputs.pt" "$model" <<'PY'
import json, sys
import numpy as np, torch
out, reference, model = sys.argv[1:4]
expected = torch.load(reference)
meta = json.load(open(out + "/features.json"))
assert meta["backbone"] == "dinov2" and meta["raw_input"] is True, meta
assert meta["input_size"] == [308, 224], meta["input_size"]
assert [l["id"] for l in meta["layers"]] == [0, 1, 2], meta["layers"]
for layer in meta["layers"]:
    assert layer["jump"] == 14 and layer["receptive_field"] == 14, layer
    ours = np.load(out + "/" + layer["file"])
    ref = expected["patch_grid%d" % layer["id"]][0].numpy()
    assert ours.dtype == np.float32 and ours.shape == ref.shape, (ours.shape, ref.shape)
    error = float(np.abs(ours - ref).max() / np.abs(ref).max())
    print(f"{model} block {layer['id']}: max error {error:.2e} of the largest value")
    assert error < 1e-4, error
PY
done
