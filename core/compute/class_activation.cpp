#include "core/compute/class_activation.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace hpf {

std::vector<std::pair<int64_t, int64_t>> cam_scale_sizes(int64_t height, int64_t width) {
  std::vector<std::pair<int64_t, int64_t>> sizes;
  for (double scale : {1.5, 2.0}) {
    const double h = static_cast<double>(height), w = static_cast<double>(width);
    if (scale * scale * h * w > static_cast<double>(kCamMaxSide * kCamMaxSide)) {
      scale = std::min({static_cast<double>(kCamMaxSide) / h, static_cast<double>(kCamMaxSide) / w, 1.5});
    }
    // Python's int(scale * side): truncation of the double product.
    sizes.emplace_back(static_cast<int64_t>(scale * h), static_cast<int64_t>(scale * w));
  }
  return sizes;
}

at::Tensor single_scale_activation(const ClassifierPass& pass, const at::Tensor& classifier_weight,
                                   int64_t height, int64_t width) {
  const at::Tensor labels = std::get<1>(at::topk(at::softmax(pass.logits, 1), 2, 1))[0];
  const int64_t channels = pass.feature_map.size(1), h = pass.feature_map.size(2),
                w = pass.feature_map.size(3);
  const at::Tensor features = pass.feature_map.reshape({channels, h * w});
  std::vector<at::Tensor> maps;
  for (int64_t k = 0; k < labels.size(0); ++k) {
    at::Tensor cam =
        classifier_weight[labels[k].item<int64_t>()].unsqueeze(0).mm(features).view({1, 1, h, w});
    cam = at::upsample_bilinear2d(cam, {height, width}, /*align_corners=*/true)[0][0];
    maps.push_back((cam - cam.min()) / cam.max());
  }
  return std::get<0>(at::stack(maps).max(0));
}

at::Tensor class_activation_map(Backbone& backbone, const at::Tensor& image,
                                const ClassifierPass& first_pass) {
  const int64_t height = image.size(2), width = image.size(3);
  const at::Tensor weight = backbone.classifier_weight();
  std::vector<at::Tensor> maps{single_scale_activation(first_pass, weight, height, width)};
  at::Tensor scaled = image;
  for (const auto& [h, w] : cam_scale_sizes(height, width)) {
    // Each scale resamples the previous one (the published code overwrites its image variable).
    scaled = at::upsample_bilinear2d(scaled, {h, w}, /*align_corners=*/true);
    ClassifierPass pass;
    backbone.extract_with_classifier(scaled, {}, &pass);
    maps.push_back(single_scale_activation(pass, weight, height, width));
  }
  const at::Tensor sum = at::stack(maps).sum(0);
  return sum / (sum.max() + 1e-5);
}

at::Tensor cam_marginal_weights(const at::Tensor& cam, const at::Tensor& centers) {
  const at::Tensor x = centers.select(1, 0).to(at::kLong), y = centers.select(1, 1).to(at::kLong);
  const int64_t height = cam.size(0), width = cam.size(1);
  if (x.numel() > 0 && (x.min().item<int64_t>() < 0 || y.min().item<int64_t>() < 0 ||
                        x.max().item<int64_t>() >= width || y.max().item<int64_t>() >= height)) {
    throw std::invalid_argument("a hyperpixel centre lies outside the " + std::to_string(width) + "x" +
                                std::to_string(height) + " class activation map");
  }
  const at::Tensor value = cam.index({y.to(cam.device()), x.to(cam.device())});
  at::Tensor weights = at::full_like(value, 0.5);
  weights.masked_fill_(value > 0.4, 0.8);
  weights.masked_fill_(value > 0.5, 0.9);
  weights.masked_fill_(value > 0.6, 1.0);
  return weights;
}

}  // namespace hpf
