#include "core/compute/layer_geometry.h"

#include <stdexcept>
#include <utility>

namespace hpf {

void ReceptiveFieldTracker::window(int64_t kernel, int64_t stride, int64_t dilation) {
  if (kernel < 1 || stride < 1 || dilation < 1) {
    throw std::invalid_argument("ReceptiveFieldTracker: kernel, stride and dilation must be positive");
  }
  receptive_field_ += (kernel - 1) * dilation * jump_;
  jump_ *= stride;
}

LayerInfo ReceptiveFieldTracker::layer(int id, std::string stage, int64_t channels) const {
  LayerInfo info;
  info.id = id;
  info.stage = std::move(stage);
  info.channels = channels;
  info.jump = jump_;
  info.receptive_field = receptive_field_;
  return info;
}

}  // namespace hpf
