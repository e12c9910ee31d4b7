#pragma once
// Process-wide compute settings: thread count, memory allocator, device choice and CUDA precision.

#include <c10/core/Device.h>

#include <string>

namespace c10 {
class Error;
}

namespace hpf {

// Sets LibTorch's intra-op thread count; 0 means one per hardware core. LibTorch defaults to 1 thread on some
// builds (Debian's), so every entry point calls this once.
void set_compute_threads(int threads = 0);
int compute_threads();

// Keeps glibc from returning freed memory to the kernel between backbone passes: allocations up to 64 MB come
// from the heap and up to 256 MB of free heap is kept. Without it every pass page-faults its activations back
// in (MobileNetV2 at 300 px: ~49 instead of ~31 ms for two passes). Entry points call it once, before any
// compute; skipped when the user tunes malloc through MALLOC_*_ or GLIBC_TUNABLES; a no-op without glibc.
void tune_memory_allocator();

// "auto" picks CUDA when LibTorch was built with it and a GPU is present, else CPU; "cpu" and "cuda" force
// one. Throws std::invalid_argument for anything else, and for "cuda" when none is available. Choosing CUDA
// also turns TF32 off for convolutions and matrix products: TF32 keeps 10 mantissa bits, enough to move
// argmaxes and break parity with the CPU and the reference (fp32 results must agree within rounding on both
// devices).
c10::Device select_device(const std::string& request = "auto");
bool cuda_available();

// Full fp32 for CUDA convolutions and matrix products (see select_device).
void use_full_precision_on_cuda();

// True for LibTorch's GPU allocation failure ("CUDA out of memory. Tried to allocate ..."), which callers may
// answer by running on the CPU; false for every other error.
bool is_cuda_out_of_memory(const c10::Error& error);

// LibTorch's version string, e.g. "1.13.1".
std::string torch_version();

}  // namespace hpf
