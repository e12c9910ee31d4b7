#pragma once
// Squared norms of a feature map bilinearly upsampled to a base grid, without upsampling it.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace hpf {

// |U f|^2 at every position of a gh x gw grid, U the bilinear upsampling (align_corners=true) of a C x h x w
// map f: (gh, gw) float32. With g(a, x) = wx0 f(a, xl) + wx1 f(a, xh) and U f(y, x) = wy0 g(yl, x) +
// wy1 g(yh, x), the square expands into inner products of neighbouring coarse positions (a position with
// itself, its right, lower and lower-right neighbour, and its right neighbour with its lower one): 5 coarse
// maps, C x h x w x 5 products instead of C x gh x gw upsampled values (16 times more from a stride-16 layer to
// a stride-4 grid). Equal to upsampling, squaring and summing up to float rounding (combined in double).
at::Tensor upsampled_squared_norms(const at::Tensor& map, int64_t gh, int64_t gw);

}  // namespace hpf
