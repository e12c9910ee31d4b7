#include "core/compute/matcher.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace hpf {
namespace {

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

std::vector<int> parse_layer_ids(const std::string& text) {
  std::vector<int> ids;
  std::string digits;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      digits += text[i];
    } else if (!digits.empty()) {
      if (digits.size() > 4) throw std::invalid_argument("layer id '" + digits + "' is out of range");
      ids.push_back(std::stoi(digits));
      digits.clear();
    }
  }
  if (ids.empty()) throw std::invalid_argument("the layer set '" + text + "' names no layer id");
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

HyperpixelFlow::HyperpixelFlow(Backbone& backbone, MatchOptions options)
    : backbone_(backbone), options_(std::move(options)) {
  std::sort(options_.layers.begin(), options_.layers.end());
  options_.layers.erase(std::unique(options_.layers.begin(), options_.layers.end()), options_.layers.end());
  for (int id : backbone_.checked_ids(options_.layers)) layers_.push_back(backbone_.layers()[id]);
  if (options_.rhm.kernel_size < 1 || options_.rhm.kernel_size % 2 == 0) {
    throw std::invalid_argument("RHM kernel size must be a positive odd number, got " +
                                std::to_string(options_.rhm.kernel_size));
  }
  if (!(options_.rhm.exponent > 0)) throw std::invalid_argument("RHM exponent must be positive");
}

ImageFeatures HyperpixelFlow::describe(const PreparedImage& image, StageTimings* timings) const {
  c10::InferenceMode inference;
  auto start = std::chrono::steady_clock::now();
  std::vector<at::Tensor> maps = backbone_.extract(image.tensor, options_.layers);
  if (timings) timings->backbone_ms += elapsed_ms(start);

  start = std::chrono::steady_clock::now();
  ImageFeatures features;
  features.image = image;
  features.hyperpixels = assemble_hyperpixels(maps, layers_, image.width(), image.height(), options_.hyperpixels,
                                              /*materialize_features=*/!options_.rhm.factorized_similarity);
  if (features.hyperpixels.size() == 0) {
    throw std::invalid_argument("the image is too small for these layers: no hyperpixel survives");
  }
  if (timings) timings->hyperpixel_ms += elapsed_ms(start);
  return features;
}

PairMatch HyperpixelFlow::match(const ImageFeatures& source, const ImageFeatures& target,
                                StageTimings* timings) const {
  c10::InferenceMode inference;
  PairMatch result;
  RhmTimings* rhm_timings = timings ? &timings->rhm : nullptr;
  result.correlation = regularized_hough_matching(source.hyperpixels, target.hyperpixels, options_.rhm, rhm_timings);
  result.best = best_matches(result.correlation, rhm_timings);
  return result;
}

}  // namespace hpf
