#pragma once
// SCOT's class activation maps (docs/method.md §10.2): where in an image the network sees its two likeliest
// ImageNet classes, over three scales, and the marginal weight of each hyperpixel read from that map.

#include "core/compute/backbone.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace hpf {

// The longer side of a CAM pass is capped at this many pixels (SCOT's guard; see cam_scale_sizes).
constexpr int64_t kCamMaxSide = 800;

// The sizes (height, width) of the passes after the first for an H x W image: 1.5x, then 2x. The published
// code caps a pass whose area exceeds 800 x 800 at min(800/H, 800/W, 1.5) but raises an error on that path;
// we take the cap it meant (never reached at its 300-px resize).
std::vector<std::pair<int64_t, int64_t>> cam_scale_sizes(int64_t height, int64_t width);

// One scale's map over H x W: for each of the two classes with the largest softmax, W_fc[c] . F upsampled to
// H x W (bilinear, align_corners=true), then (cam - min(cam)) / max(cam) (divided by the raw maximum, as the
// published code does); the element-wise maximum of the two. (H, W) float32.
at::Tensor single_scale_activation(const ClassifierPass& pass, const at::Tensor& classifier_weight,
                                   int64_t height, int64_t width);

// The multi-scale CAM of a preprocessed (1, 3, H, W) image: the maps at scales 1, 1.5 and 2 summed and
// divided by (their maximum + 1e-5). `first_pass` is the classifier pass of `image` itself (the hyperpixels'
// pass). The 2x image is resampled from the 1.5x one (align_corners=true), as in the published code. (H, W)
// float32.
at::Tensor class_activation_map(Backbone& backbone, const at::Tensor& image,
                                const ClassifierPass& first_pass);

// Marginal weight of each hyperpixel from the CAM value at its box centre (`centers` (N, 2) integer-valued
// x, y): 0.5; 0.8 above 0.4; 0.9 above 0.5; 1.0 above 0.6. (N,) float32. Throws std::invalid_argument for a
// centre outside the map.
at::Tensor cam_marginal_weights(const at::Tensor& cam, const at::Tensor& centers);

}  // namespace hpf
