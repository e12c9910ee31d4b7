#pragma once
// One output index of bilinear upsampling with align_corners=true along one axis: the two input samples it reads
// and the weight of the upper one, computed in float exactly as ATen computes them (so interpolating products by
// hand reproduces at::upsample_bilinear2d). Shared by the factorised similarity and the layer search.

#include <algorithm>
#include <cstdint>

namespace hpf {

struct BilinearTap {
  int64_t low, high;
  float high_weight;
};

inline BilinearTap bilinear_tap(int64_t out_index, int64_t in_size, int64_t out_size) {
  const float scale = out_size > 1 ? static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1) : 0.f;
  const float real = scale * static_cast<float>(out_index);
  const int64_t low = std::min(static_cast<int64_t>(real), in_size - 1);
  const int64_t high = low < in_size - 1 ? low + 1 : low;
  return {low, high, real - static_cast<float>(low)};
}

}  // namespace hpf
