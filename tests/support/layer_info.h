#pragma once
// A layer description for tests that build hyperpixels from hand-made maps.

#include "core/compute/layer_geometry.h"

#include <cstdint>

namespace hpf::test {

inline LayerInfo layer(int id, int64_t jump, int64_t receptive_field, int64_t channels = 0) {
  LayerInfo info;
  info.id = id;
  info.jump = jump;
  info.receptive_field = receptive_field;
  info.channels = channels;
  return info;
}

}  // namespace hpf::test
