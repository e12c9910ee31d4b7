#pragma once
// A backbone that says it runs on a CUDA device and fails there with a given LibTorch error (e.g. "CUDA out
// of memory"), and runs normally once moved to the CPU: the GPU fallback is tested without a GPU.

#include "core/compute/backbone.h"

#include <c10/util/Exception.h>

#include <atomic>
#include <memory>
#include <string>

namespace hpf::test {

class FakeGpuBackbone : public Backbone {
 public:
  FakeGpuBackbone(std::unique_ptr<Backbone> cpu, std::string error)
      : cpu_(std::move(cpu)), error_(std::move(error)) {}
  const std::string& name() const override { return cpu_->name(); }
  const std::vector<LayerInfo>& layers() const override { return cpu_->layers(); }
  std::vector<at::Tensor> extract(const at::Tensor& image, const std::vector<int>& layer_ids) override {
    if (on_gpu_) {
      ++gpu_failures;
      TORCH_CHECK(false, error_);
    }
    return cpu_->extract(image, layer_ids);
  }
  at::Tensor classify(const at::Tensor& image) override { return cpu_->classify(image); }
  void load_state_dict(const StateDict& state) override { cpu_->load_state_dict(state); }
  StateDict expected_state() override { return cpu_->expected_state(); }
  void to(c10::Device device) override { on_gpu_ = device.is_cuda(); }
  c10::Device device() const override {
    return on_gpu_ ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  }

  std::atomic<int> gpu_failures{0};  // backbone passes refused "on the GPU"

 private:
  std::unique_ptr<Backbone> cpu_;
  std::string error_;
  std::atomic<bool> on_gpu_{true};
};

inline const char* cuda_out_of_memory_message() {
  return "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)";
}

}  // namespace hpf::test
