#!/usr/bin/env bash
# `hpf match --matcher scot` against the published SCOT code's predictions (../shared/reference/scot): the
# first pair of each PF-WILLOW class, CAM and uniform marginals, the source keypoints from test_pairs.csv.
# Every transferred keypoint must land within 0.5 px of the reference's (resized target frame), and
# matches.json must record the SCOT options. Skipped (exit 77) without HPF_SHARED_DIR.
set -euo pipefail
hpf="$1"
python="${HPF_TEST_PYTHON:-/usr/bin/python3}"
if [ -z "${HPF_SHARED_DIR:-}" ]; then
  echo "HPF_SHARED_DIR is not set: SCOT CLI parity not run (.ci/run sets it to ../shared)"
  exit 77
fi
data="$HPF_SHARED_DIR/data/pf-willow-dev"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for kind in cam uniform; do
  reference="$HPF_SHARED_DIR/reference/scot/pf-willow-dev_scot-${kind}_mobilenet_v2_4-7-10-13-16.json"
  cam_flag=--cam
  [ "$kind" = uniform ] && cam_flag=--no-cam
  for index in 0 90 180 270; do
    # The pair's images and source keypoints, as --kps JSON.
    read -r source target < <("$python" - "$data/test_pairs.csv" "$index" "$work/kps.json" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))[1:]
row = rows[int(sys.argv[2])]
xs, ys = row[2:12], row[12:22]
json.dump([[float(x), float(y)] for x, y in zip(xs, ys)], open(sys.argv[3], "w"))
print(row[0].replace("PF-dataset/", ""), row[1].replace("PF-dataset/", ""))
PY
)
    out="$work/$kind-$index"
    "$hpf" match "$data/$source" "$data/$target" --backbone mobilenet_v2 \
      --weights "$HPF_SHARED_DIR/weights/mobilenet_v2_imagenet_uint8.pth" --layers 4,7,10,13,16 \
      --matcher scot "$cam_flag" --kps "$work/kps.json" --output "$out" > /dev/null
    "$python" - "$out/matches.json" "$reference" "$index" "$kind" <<'PY'
import json, math, sys
ours = json.load(open(sys.argv[1]))
ref = json.load(open(sys.argv[2]))["pairs"][int(sys.argv[3])]
options = ours["options"]
assert options["method"] == "scot" and options["ot_epsilon"] == 0.05 and options["ot_exponent"] == 0.5, options
assert options["cam"] == (sys.argv[4] == "cam") and options["prune_margin"] is False, options
assert abs(ours["resize_ratio"]["target"] - ref["trg_ratio"]) < 1e-6, (ours["resize_ratio"], ref["trg_ratio"])
far = [(p, q) for p, q in zip(ours["transferred_kps_resized"], ref["pred_kps_resized"])
       if p is None or math.dist(p, q) > 0.5]
print(f"pair {sys.argv[3]} ({sys.argv[4]}): {10 - len(far)}/10 keypoints within 0.5 px of the published code")
assert not far, far
PY
  done
done
