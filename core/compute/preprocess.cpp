#include "core/compute/preprocess.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace hpf {

float resize_ratio(int width, int height, int max_side, bool enlarge) {
  const float side = static_cast<float>(std::max(width, height));
  if (max_side <= 0 || (!enlarge && side <= static_cast<float>(max_side))) return 1.0f;
  // PyTorch evaluates `int / tensor` as reciprocal(tensor) * int, in float32; do the same.
  const float reciprocal = 1.0f / side;
  return reciprocal * static_cast<float>(max_side);
}

std::pair<int, int> resized_size(int width, int height, const MatchOptions& options) {
  const float r = resize_ratio(width, height, options.max_side, options.enlarges_to_max_side());
  return {static_cast<int>(static_cast<float>(width) * r), static_cast<int>(static_cast<float>(height) * r)};
}

PreparedImage prepare_for_matching(const at::Tensor& rgb, const MatchOptions& options) {
  return prepare_image(rgb, options.max_side, options.enlarges_to_max_side());
}

PreparedImage prepare_image(const at::Tensor& rgb, int max_side, bool enlarge) {
  if (rgb.dim() != 3 || rgb.size(2) != 3 || rgb.scalar_type() != at::kByte) {
    throw std::invalid_argument("expected an H x W x 3 uint8 RGB image");
  }
  if (rgb.size(0) < 1 || rgb.size(1) < 1) throw std::invalid_argument("the image is empty");

  PreparedImage out;
  out.original_height = static_cast<int>(rgb.size(0));
  out.original_width = static_cast<int>(rgb.size(1));
  const auto options = at::TensorOptions().dtype(at::kFloat);
  const at::Tensor mean = at::tensor({0.485f, 0.456f, 0.406f}, options).view({1, 3, 1, 1});
  const at::Tensor stdev = at::tensor({0.229f, 0.224f, 0.225f}, options).view({1, 3, 1, 1});
  // Planar uint8 first (a small copy), so the float operations below run on contiguous memory; the values are
  // the same element by element.
  at::Tensor image =
      rgb.permute({2, 0, 1}).contiguous().unsqueeze(0).to(at::kFloat).div_(255.0).sub_(mean).div_(stdev);

  out.ratio = resize_ratio(out.original_width, out.original_height, max_side, enlarge);
  const auto h = static_cast<int64_t>(static_cast<float>(out.original_height) * out.ratio);
  const auto w = static_cast<int64_t>(static_cast<float>(out.original_width) * out.ratio);
  // A ratio a rounding away from 1 that keeps the size resamples nothing (align_corners=false at equal sizes
  // is the identity), so only a change of size runs the interpolation.
  if (h != out.original_height || w != out.original_width) {
    if (h < 1 || w < 1) {
      throw std::invalid_argument(
          "the image is too elongated: its shorter side shrinks to nothing at a longer "
          "side of " +
          std::to_string(max_side) + " px");
    }
    image = at::upsample_bilinear2d(image, {h, w}, /*align_corners=*/false);
  }
  out.tensor = image.contiguous();
  return out;
}

}  // namespace hpf
