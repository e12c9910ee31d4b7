#pragma once
// Creating a backbone with its weights from a torchvision checkpoint.

#include "core/compute/backbone.h"

#include <memory>
#include <string>

namespace hpf {

// Builds `backbone_name`, loads the torchvision state dict at `weights_path` (checked tensor by tensor) and
// moves the network to `device` ("auto", "cpu" or "cuda"). Throws CheckpointError / std::runtime_error naming
// the file and the first problem.
std::unique_ptr<Backbone> load_backbone(const std::string& backbone_name, const std::string& weights_path,
                                        const std::string& device = "auto");

// Throws std::runtime_error naming `path` and the first floating-point tensor holding NaN or infinity: such
// weights collapse every match without a word (load_backbone checks every checkpoint with it).
void check_finite_weights(const StateDict& state, const std::string& path);

}  // namespace hpf
