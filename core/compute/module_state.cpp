#include "core/compute/module_state.h"

#include <torch/nn/module.h>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <sstream>
#include <utility>
#include <vector>
#include <stdexcept>

namespace hpf {
namespace {

std::string shape_text(at::IntArrayRef sizes) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < sizes.size(); ++i) out << (i ? ", " : "") << sizes[i];
  out << "]";
  return out.str();
}

// Parameters, then buffers, in registration (forward) order, so errors name the first problem a reader expects.
std::vector<std::pair<std::string, at::Tensor>> ordered_state(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, at::Tensor>> state;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) state.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true)) state.emplace_back(item.key(), item.value());
  return state;
}

}  // namespace

StateDict module_state(const torch::nn::Module& module) {
  StateDict state;
  for (auto& [key, value] : ordered_state(module)) state.emplace(key, value);
  return state;
}

void load_module_state(torch::nn::Module& module, const StateDict& state, const std::string& model_name) {
  c10::NoGradGuard no_grad;
  const auto targets = ordered_state(module);
  for (auto& [key, target] : targets) {
    auto found = state.find(key);
    if (found == state.end()) {
      throw std::runtime_error("checkpoint is not a " + model_name + " state dict: tensor '" + key +
                               "' is missing (expected shape " + shape_text(target.sizes()) + ")");
    }
    const at::Tensor& source = found->second;
    if (source.sizes() != target.sizes()) {
      throw std::runtime_error("checkpoint does not fit " + model_name + ": tensor '" + key + "' has shape " +
                               shape_text(source.sizes()) + ", expected " + shape_text(target.sizes()));
    }
    if (source.scalar_type() != target.scalar_type()) {
      throw std::runtime_error("checkpoint does not fit " + model_name + ": tensor '" + key + "' has dtype " +
                               std::string(c10::toString(source.scalar_type())) + ", expected " +
                               c10::toString(target.scalar_type()));
    }
  }
  for (auto& [key, target] : targets) target.copy_(state.at(key));
}

}  // namespace hpf
