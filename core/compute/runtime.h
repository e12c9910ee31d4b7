#pragma once
// Process-wide compute settings: thread count and device choice.

#include <c10/core/Device.h>

#include <string>

namespace hpf {

// Sets LibTorch's intra-op thread count; 0 means one per hardware core. LibTorch defaults to 1 thread on some
// builds (Debian's), so every entry point calls this once.
void set_compute_threads(int threads = 0);
int compute_threads();

// "auto" picks CUDA when LibTorch was built with it and a GPU is present, else CPU; "cpu" and "cuda" force one.
// Throws std::invalid_argument for anything else, and for "cuda" when none is available.
c10::Device select_device(const std::string& request = "auto");
bool cuda_available();

// LibTorch's version string, e.g. "1.13.1".
std::string torch_version();

}  // namespace hpf
