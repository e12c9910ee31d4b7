#pragma once
// Moving torchvision state dicts in and out of LibTorch modules (internal to the compute library).

#include "core/compute/state_dict.h"

namespace torch::nn {
class Module;
}

namespace hpf {

// All parameters and buffers of `module` under their dotted torchvision names.
StateDict module_state(const torch::nn::Module& module);

// Copies `state` into `module`. Throws std::runtime_error naming the first tensor that is missing or has the
// wrong shape or dtype; `model_name` goes into the message.
void load_module_state(torch::nn::Module& module, const StateDict& state, const std::string& model_name);

}  // namespace hpf
