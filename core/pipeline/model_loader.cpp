#include "core/pipeline/model_loader.h"

#include "core/checkpoint/checkpoint_reader.h"
#include "core/compute/dinov2.h"
#include "core/compute/raw_tensor_convert.h"
#include "core/compute/runtime.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace hpf {

std::unique_ptr<Backbone> load_backbone(const std::string& backbone_name, const std::string& weights_path,
                                        const std::string& device) {
  std::unique_ptr<Backbone> backbone =
      built_from_checkpoint(backbone_name) ? nullptr : make_backbone(backbone_name);
  StateDict state;
  try {
    state = to_state_dict(read_checkpoint(weights_path));
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(weights_path + ": " + e.what());
  }
  check_finite_weights(state, weights_path);  // names the file itself
  try {
    if (!backbone) {
      backbone = make_dinov2(state, backbone_name);
    } else {
      backbone->load_state_dict(state);
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(weights_path + ": " + e.what());
  }
  backbone->to(select_device(device));
  return backbone;
}

void check_finite_weights(const StateDict& state, const std::string& path) {
  for (const auto& [name, tensor] : state) {
    if (!at::isFloatingType(tensor.scalar_type()) || tensor.numel() == 0) continue;
    if (!at::isfinite(tensor).all().item<bool>()) {
      const int64_t bad = tensor.numel() - at::isfinite(tensor).sum().item<int64_t>();
      throw std::runtime_error(path + ": tensor '" + name + "' holds " + std::to_string(bad) +
                               " NaN or infinite values (a damaged or diverged checkpoint)");
    }
  }
}

}  // namespace hpf
