#!/usr/bin/env bash
# Hyperpixel Studio quick start for Debian 12: installs what is missing, builds, then either starts the
# application ("run") or runs the whole test suite ("test"). Safe to re-run; every step is idempotent.
#
#   packaging/quickstart.sh run    # set up, build, start the GUI (or explain how to use the CLI without a display)
#   packaging/quickstart.sh test   # set up, build, run every test with ctest
set -euo pipefail

mode="${1:-run}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HPF_BUILD_DIR:-$repo/build/release}"

# Build and runtime dependencies (Debian package names). libopenblas0-openmp: without it LibTorch falls back to the
# reference BLAS and matrix products are ~20x slower. Test-only: python3-torchvision (parity tests), python3-skimage
# (real photos for the ImageNet check), xvfb (GUI screenshots).
packages=(build-essential cmake ninja-build pkg-config git
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev libqt6svg6 libquazip1-qt6-dev libopencv-dev libtorch-dev libopenblas0-openmp
  libmatio-dev libarchive-dev libgtest-dev libbenchmark-dev libjpeg-dev libpng-dev libexif-dev)
# Packaging test: dpkg-dev (dpkg-shlibdeps), desktop-file-utils and appstream (validators). Fuzz smoke runs: clang
# with its libFuzzer/sanitizer runtimes.
test_packages=(python3-torchvision python3-skimage xvfb xauth dpkg-dev desktop-file-utils appstream
  clang libclang-rt-14-dev)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "==> Installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

build_all() {
  echo "==> Configuring and building in $build"
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${HPF_CMAKE_ARGS:-}
  cmake --build "$build" -j "$(nproc)"
}

# libFuzzer smoke runs of the parsers of untrusted input: a separate clang build of only the parser libraries
# and their fuzz targets (no LibTorch), then a few thousand executions of each (ctest label `fuzz`).
fuzz_smoke() {
  local fuzz_build="${HPF_FUZZ_BUILD_DIR:-$repo/build/fuzz}"
  echo "==> Fuzz smoke runs (clang, HPF_FUZZ_ONLY) in $fuzz_build"
  # Chained with &&: errexit does not apply inside a function called as `fuzz_smoke || ...`.
  cmake -S "$repo" -B "$fuzz_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DHPF_FUZZ_ONLY=ON -DHPF_BUILD_GUI=OFF &&
    cmake --build "$fuzz_build" -j "$(nproc)" &&
    ctest --test-dir "$fuzz_build" -L fuzz --output-on-failure --no-tests=error -j 2
}

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer (preset debug-asan: -O1 -g), when
# HPF_WITH_SANITIZERS=1 (CI sets it; it roughly doubles the test time). Tests labelled `heavy` (whole-dev-set
# evaluations against the published numbers, ~18 min each under the sanitizers; real-size DINOv2 models) run in
# the release pass only: the same code runs under the sanitizers through the shorter realdata parity tests.
sanitizer_suite() {
  local asan_build="${HPF_ASAN_BUILD_DIR:-$repo/build/debug-asan}"
  echo "==> The whole test suite under ASan + UBSan in $asan_build"
  cmake -S "$repo" -B "$asan_build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
    -DHPF_SANITIZE=ON ${HPF_CMAKE_ARGS:-} &&
    cmake --build "$asan_build" -j "$(nproc)" &&
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
      ctest --test-dir "$asan_build" --output-on-failure -j 2 -LE heavy ${HPF_CTEST_ARGS:-}
}

case "$mode" in
  run)
    install_missing "${packages[@]}"
    build_all
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
      echo
      echo "No display found (DISPLAY/WAYLAND_DISPLAY unset): the desktop application cannot open a window here."
      echo "Use the command-line tool instead, for example:"
      echo "  $build/app/hpf --help"
      echo "  $build/app/hpf backbone-info --backbone resnet101"
      echo "  $build/app/hpf match SRC.jpg TRG.jpg --backbone mobilenet_v2 --weights FILE.pth --output out/"
      exit 0
    fi
    exec "$build/app/hyperpixel-studio"
    ;;
  test)
    install_missing "${packages[@]}" "${test_packages[@]}"
    build_all
    # Tests that need the shared real data read HPF_SHARED_DIR; default to ../shared beside the checkout.
    if [ -z "${HPF_SHARED_DIR:-}" ] && [ -d "$repo/../shared" ]; then export HPF_SHARED_DIR="$(cd "$repo/../shared" && pwd)"; fi
    if [ -z "${HPF_SHARED_DIR:-}" ]; then
      echo "NOTE: HPF_SHARED_DIR is not set and ../shared does not exist: realdata tests will be reported as skipped."
    fi
    export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
    status=0
    ctest --test-dir "$build" --output-on-failure -j 2 ${HPF_CTEST_ARGS:-} || status=$?
    fuzz_smoke || status=$?
    if [ "${HPF_WITH_SANITIZERS:-0}" = 1 ]; then sanitizer_suite || status=$?; fi
    exit "$status"
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
