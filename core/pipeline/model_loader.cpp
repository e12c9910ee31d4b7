#include "core/pipeline/model_loader.h"

#include "core/checkpoint/checkpoint_reader.h"
#include "core/compute/raw_tensor_convert.h"
#include "core/compute/runtime.h"

#include <stdexcept>

namespace hpf {

std::unique_ptr<Backbone> load_backbone(const std::string& backbone_name, const std::string& weights_path,
                                        const std::string& device) {
  std::unique_ptr<Backbone> backbone = make_backbone(backbone_name);
  try {
    backbone->load_state_dict(to_state_dict(read_checkpoint(weights_path)));
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(weights_path + ": " + e.what());
  }
  backbone->to(select_device(device));
  return backbone;
}

}  // namespace hpf
