#pragma once
// A model's named parameters and buffers, as torch.save(model.state_dict()) stores them.

#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace hpf {

using StateDict = std::map<std::string, at::Tensor>;

// Returns the entries whose key starts with `prefix`, with the prefix removed
// (e.g. "backbone." for torchvision's segmentation models).
StateDict strip_prefix(const StateDict& state, const std::string& prefix);

}  // namespace hpf
