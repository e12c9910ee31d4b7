#!/usr/bin/env bash
# CI test of the Debian package (ctest label `packaging`): builds it with cpack, checks its metadata and
# dependencies, unpacks it into a scratch root (dpkg-deb -x: no root rights needed) and runs the unpacked
# tools: `hpf --version` and a headless `hpf match` of two synthetic images with a seeded MobileNetV2
# checkpoint, whose matches.json must hold one transferred keypoint per source keypoint.
#
#   check_package.sh BUILD_DIR PYTHON VERSION
#
# PYTHON must have torch, torchvision, numpy and PIL (Debian: /usr/bin/python3 with python3-torchvision).
set -euo pipefail

build="$1"
python="$2"
version="$3"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/hpf_package_test.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "==> $*"; }

step "cpack -G DEB"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$scratch/out" >"$scratch/cpack.log" 2>&1 ||
  { cat "$scratch/cpack.log"; fail "cpack failed"; }
deb="$(ls "$scratch"/out/*.deb 2>/dev/null | head -n 1)"
[ -n "$deb" ] || { cat "$scratch/cpack.log"; fail "cpack wrote no .deb"; }
echo "    $(basename "$deb") ($(du -h "$deb" | cut -f1))"

step "package metadata"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = "hyperpixel-studio" ] || fail "Package is '$(field Package)', expected hyperpixel-studio"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', expected $version"
[ "$(field Section)" = "science" ] || fail "Section is '$(field Section)', expected science"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[ -n "$(field Description)" ] || fail "no Description"
depends="$(field Depends)"
echo "    Depends: $depends"
# The libraries the executables load at run time; each must come from a declared dependency.
for lib in libtorch libqt6core6 libqt6widgets6 libqt6charts6 libqt6svg6 libquazip1-qt6 libopencv-core \
  libopencv-imgcodecs libmatio libarchive; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done

step "unpack into a scratch root"
root="$scratch/root"
dpkg-deb -x "$deb" "$root"
for file in usr/bin/hpf usr/bin/hyperpixel-studio \
  usr/share/applications/hyperpixel-studio.desktop \
  usr/share/metainfo/io.github.hyperpixel_studio.metainfo.xml \
  usr/share/icons/hicolor/scalable/apps/hyperpixel-studio.svg \
  usr/share/icons/hicolor/48x48/apps/hyperpixel-studio.png \
  usr/share/icons/hicolor/128x128/apps/hyperpixel-studio.png \
  usr/share/icons/hicolor/256x256/apps/hyperpixel-studio.png \
  usr/share/man/man1/hpf.1.gz; do
  [ -f "$root/$file" ] || fail "the package lacks /$file"
done
[ -x "$root/usr/bin/hpf" ] && [ -x "$root/usr/bin/hyperpixel-studio" ] || fail "executables are not executable"
grep -q "^Exec=hyperpixel-studio" "$root/usr/share/applications/hyperpixel-studio.desktop" ||
  fail "desktop entry does not start hyperpixel-studio"
grep -q "<release version=\"$version\"" "$root/usr/share/metainfo/io.github.hyperpixel_studio.metainfo.xml" ||
  fail "metainfo has no <release> for version $version"
zcat "$root/usr/share/man/man1/hpf.1.gz" | grep -q '^\.TH HPF 1' || fail "hpf.1.gz is not the hpf man page"
# Optional validators: used where installed (desktop-file-utils, appstream).
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$root/usr/share/applications/hyperpixel-studio.desktop" | grep -v "hint:" || true
  desktop-file-validate "$root/usr/share/applications/hyperpixel-studio.desktop" >/dev/null ||
    fail "desktop-file-validate rejects the desktop entry"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.hyperpixel_studio.metainfo.xml" >/dev/null ||
    fail "appstreamcli rejects the metainfo"
fi

step "hpf --version (unpacked)"
hpf="$root/usr/bin/hpf"
"$hpf" --version | tee "$scratch/version.txt"
grep -q "^hpf $version\$" "$scratch/version.txt" || fail "--version does not print 'hpf $version'"
for what in "LibTorch [0-9]" "OpenCV [0-9]" "Qt [0-9]" "CUDA (not )?available"; do
  grep -Eq "^$what\$|^$what[ .0-9]" "$scratch/version.txt" || fail "--version lacks '$what'"
done

step "headless hpf match (unpacked)"
"$python" - "$scratch" <<'PY'
import json, sys
import numpy as np
import torch, torchvision
from PIL import Image
out = sys.argv[1]
rng = np.random.default_rng(0)
# Smooth random blobs: a textured source and a shifted copy as the target.
base = rng.random((12, 16, 3))
source = np.kron(base, np.ones((20, 20, 1)))
Image.fromarray((source * 255).astype(np.uint8)).save(f"{out}/source.png")
Image.fromarray((np.roll(source, (10, 20), axis=(0, 1)) * 255).astype(np.uint8)).save(f"{out}/target.png")
torch.manual_seed(0)
torch.save(torchvision.models.mobilenet_v2().state_dict(), f"{out}/mobilenet_v2.pth")
with open(f"{out}/kps.json", "w") as f:
    json.dump([[40, 40], [100, 60], [160, 120], [250, 200], [300, 220]], f)
PY
(cd "$scratch" && "$hpf" match source.png target.png --backbone mobilenet_v2 --weights mobilenet_v2.pth \
  --kps kps.json --max-side 160 --threads 2 --output match) || fail "hpf match failed"
"$python" - "$scratch/match/matches.json" <<'PY' || fail "matches.json is wrong"
import json, math, sys
report = json.load(open(sys.argv[1]))
transferred = report["transferred_kps"]
assert len(report["source_kps"]) == 5, report["source_kps"]
assert len(transferred) == 5, transferred
# A keypoint without hyperpixels near it is transferred as null and counted as uncovered.
assert all(p is None or (len(p) == 2 and all(math.isfinite(v) for v in p)) for p in transferred), transferred
assert report["uncovered"] == sum(p is None for p in transferred), report["uncovered"]
assert report["uncovered"] < 5, "no keypoint was transferred"
print("    matches.json: 5 source keypoints,", 5 - report["uncovered"], "transferred, e.g.", transferred[0])
PY
[ -s "$scratch/match/matches.png" ] || fail "no matches.png"
echo "PASS: package $(basename "$deb")"
