#!/usr/bin/env bash
# GPU check: builds the compute core (compute-only preset) against the LibTorch bundled with the first python3's
# PyTorch, then runs the CPU/CUDA agreement tests, the compute unit tests and the device benchmark.
# Usage: tests/gpu/run_compute_checks.sh [LOG_DIR]
# GoogleTest comes from the system, or is built from GTEST_SOURCE_DIR when set (e.g. a copy of Debian's
# /usr/src/googletest on a machine without it). Build tree: $HPF_GPU_BUILD (default /tmp/hpf-gpu-build).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
logs=${1:-$root/build/gpu-check}
build=${HPF_GPU_BUILD:-/tmp/hpf-gpu-build}
mkdir -p "$logs" "$build"

torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)') || exit 1
torch_include=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "include"))')
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' | tee "$logs/torch.txt"

prefix="$torch_prefix"
if [ -n "${GTEST_SOURCE_DIR:-}" ]; then
  { cmake -S "$GTEST_SOURCE_DIR" -B "$build/gtest" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_GMOCK=OFF \
      -DCMAKE_INSTALL_PREFIX="$build/gtest-install" &&
    cmake --build "$build/gtest" && cmake --install "$build/gtest"; } >"$logs/gtest.log" 2>&1 || {
    tail -20 "$logs/gtest.log"; exit 1; }
  prefix="$build/gtest-install;$prefix"
fi

# LibTorch states its minimum C++ standard in c10/macros/Macros.h.
std=17
grep -q '__cplusplus < 202002L' "$torch_include/c10/macros/Macros.h" 2>/dev/null && std=20
cuda_root=()
[ -d /usr/local/cuda ] && cuda_root=(-DCUDAToolkit_ROOT=/usr/local/cuda)
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}

cmake -S "$root" -B "$build/compute" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHPF_COMPUTE_ONLY=ON \
  -DCMAKE_CXX_STANDARD=$std -DCMAKE_PREFIX_PATH="$prefix" "${cuda_root[@]}" >"$logs/configure.log" 2>&1 || {
  tail -40 "$logs/configure.log"; exit 1; }
cmake --build "$build/compute" -j"$(nproc)" --target hpf_compute_tests hpf_compute_cuda_tests hpf_device_bench \
  >"$logs/build.log" 2>&1 || { grep -m 20 -A 5 'error' "$logs/build.log"; tail -20 "$logs/build.log"; exit 1; }

status=0
tests="$build/compute/tests/compute"
"$tests/hpf_compute_cuda_tests" 2>&1 | tee "$logs/cuda_tests.log" | grep -E 'cuda-vs-cpu|OK|FAILED|SKIPPED|Failure|PASSED' || status=1
"$tests/hpf_compute_tests" >"$logs/compute_tests.log" 2>&1 || status=1
tail -3 "$logs/compute_tests.log"; grep -E '^\[  FAILED' "$logs/compute_tests.log"
"$tests/hpf_device_bench" "${HPF_BENCH_REPEATS:-7}" 2>&1 | tee "$logs/device_bench.txt" || status=1
exit $status
