#include "core/compute/runtime.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

#include <cstdlib>
#include <stdexcept>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace hpf {

void set_compute_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
}

int compute_threads() { return at::get_num_threads(); }

void tune_memory_allocator() {
#if defined(__GLIBC__)
  for (const char* variable : {"GLIBC_TUNABLES", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"}) {
    if (std::getenv(variable)) return;
  }
  // Setting either value turns off glibc's dynamic threshold, so both are set.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

bool cuda_available() { return at::hasCUDA() && at::getNumGPUs() > 0; }

void use_full_precision_on_cuda() {
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
}

c10::Device select_device(const std::string& request) {
  if (request == "cpu") return c10::Device(c10::kCPU);
  const bool want_cuda = request == "cuda" || request == "gpu";
  if (!want_cuda && request != "auto") {
    throw std::invalid_argument("unknown device '" + request + "' (expected auto, cpu or cuda)");
  }
  if (want_cuda && !cuda_available()) {
    throw std::invalid_argument("device 'cuda' requested but LibTorch sees no CUDA GPU");
  }
  if (!cuda_available()) return c10::Device(c10::kCPU);
  use_full_precision_on_cuda();
  return c10::Device(c10::kCUDA, 0);
}

bool is_cuda_out_of_memory(const c10::Error& error) {
  return std::string(error.what()).find("out of memory") != std::string::npos;
}

std::string torch_version() { return TORCH_VERSION; }

}  // namespace hpf
