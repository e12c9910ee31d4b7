#include "core/compute/runtime.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <stdexcept>
#include <thread>

namespace hpf {

void set_compute_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
}

int compute_threads() { return at::get_num_threads(); }

bool cuda_available() { return at::hasCUDA() && at::getNumGPUs() > 0; }

c10::Device select_device(const std::string& request) {
  if (request == "cpu") return c10::Device(c10::kCPU);
  if (request == "cuda" || request == "gpu") {
    if (!cuda_available()) throw std::invalid_argument("device 'cuda' requested but LibTorch sees no CUDA GPU");
    return c10::Device(c10::kCUDA, 0);
  }
  if (request == "auto") return cuda_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  throw std::invalid_argument("unknown device '" + request + "' (expected auto, cpu or cuda)");
}

std::string torch_version() { return TORCH_VERSION; }

}  // namespace hpf
