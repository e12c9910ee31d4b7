#pragma once
// Image preprocessing exactly as the reference (docs/method.md §2): scale to [0,1], normalise with the
// ImageNet mean/std, then shrink so that the longer side is at most `max_side` (bilinear,
// align_corners=false). SCOT's rule (§10) resizes to exactly `max_side`, enlarging small images too.

#include "core/compute/match_options.h"

#include <ATen/core/Tensor.h>

#include <utility>

namespace hpf {

struct PreparedImage {
  at::Tensor tensor;   // (1, 3, h, w) float32, normalised and resized
  float ratio = 1.0f;  // resized / original; keypoints and PCK thresholds are multiplied by it
  int original_width = 0;
  int original_height = 0;
  int width() const { return static_cast<int>(tensor.size(3)); }
  int height() const { return static_cast<int>(tensor.size(2)); }
};

// `rgb` is an (H, W, 3) uint8 tensor in RGB order. The ratio is computed in float32 as the reference computes
// it (1/max(H,W) * max_side), so that sizes and scaled keypoints agree to the bit. max_side <= 0 disables
// resizing; `enlarge` also resizes images smaller than max_side. Throws std::invalid_argument for anything
// that is not a non-empty HxWx3 uint8 image.
PreparedImage prepare_image(const at::Tensor& rgb, int max_side = 300, bool enlarge = false);

// The preprocessing a matching method's options ask for (HPF's or SCOT's resize rule).
PreparedImage prepare_for_matching(const at::Tensor& rgb, const MatchOptions& options);

// The reference's float32 resize rule, exposed for tests and for memory estimates.
float resize_ratio(int width, int height, int max_side, bool enlarge = false);

// Width and height after the resize rule of `options`.
std::pair<int, int> resized_size(int width, int height, const MatchOptions& options);

}  // namespace hpf
