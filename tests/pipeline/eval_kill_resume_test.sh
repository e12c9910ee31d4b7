#!/usr/bin/env bash
# `hpf eval` killed with SIGKILL at random moments and resumed, several times: the final summary.json must be
# byte-identical to an uninterrupted run's, and no pair may be lost or counted twice.
# usage: eval_kill_resume_test.sh PATH/TO/hpf      (needs HPF_TEST_PYTHON with torch/torchvision for the fixture)
set -euo pipefail
hpf="$1"
python="${HPF_TEST_PYTHON:-/usr/bin/python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Fixture: a PF-WILLOW-format dataset (2 categories x 4 images, 24 pairs) and a seeded MobileNetV2 checkpoint.
"$python" - "$work" <<'PY'
import os, random, sys
import numpy as np
import torch, torchvision
from PIL import Image
root = sys.argv[1]
random.seed(3); np.random.seed(3)
rows = []
for cat in ("car(G)", "duck(S)"):
    os.makedirs(os.path.join(root, "data", cat))
    kps = []
    for i in range(4):
        w, h = 160 + 20 * i, 140 - 10 * i
        Image.fromarray(np.random.randint(0, 255, (h, w, 3), dtype=np.uint8)).save(
            os.path.join(root, "data", cat, "img%d.png" % i))
        kps.append([random.uniform(5, w - 5) for _ in range(10)] + [random.uniform(5, h - 5) for _ in range(10)])
    for a in range(4):
        for b in range(4):
            if a != b:
                rows.append(["PF-dataset/%s/img%d.png" % (cat, a), "PF-dataset/%s/img%d.png" % (cat, b)]
                            + ["%r" % v for v in kps[a] + kps[b]])
header = ["imageA", "imageB"] + ["%s%d" % (p, k) for p in ("XA", "YA", "XB", "YB") for k in range(1, 11)]
with open(os.path.join(root, "data", "test_pairs.csv"), "w") as f:
    f.write(",".join(header) + "\n")
    for r in rows:
        f.write(",".join(r) + "\n")
torch.manual_seed(0)
torch.save(torchvision.models.mobilenet_v2().state_dict(), os.path.join(root, "w.pth"))
PY

common=(eval --dataset pf-willow --root "$work/data" --backbone mobilenet_v2 --weights "$work/w.pth"
        --layers 2,4,7 --alpha 0.05,0.1 --threads 1)
"$hpf" "${common[@]}" --output "$work/full" > /dev/null 2>&1

kills=0
resume=()
for attempt in $(seq 1 30); do
  "$hpf" "${common[@]}" --output "$work/killed" "${resume[@]}" > /dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 9 + 1))"
  if kill -9 "$pid" 2>/dev/null; then
    kills=$((kills + 1))
  fi
  wait "$pid" 2>/dev/null || true
  resume=(--resume)
  if [ -f "$work/killed/summary.json" ]; then break; fi
done
"$hpf" "${common[@]}" --output "$work/killed" --resume > /dev/null 2>&1

lines=$(grep -c . "$work/killed/pairs.jsonl")
if ! cmp -s "$work/full/summary.json" "$work/killed/summary.json" || [ "$lines" -ne 24 ]; then
  echo "FAIL after $kills kills: summary differs or $lines records instead of 24"
  diff "$work/full/summary.json" "$work/killed/summary.json" || true
  echo "0 passed, 1 failed"
  exit 1
fi
echo "resumed after $kills SIGKILLs: summary.json byte-identical, 24 records"
echo "1 passed, 0 failed"
