#include "core/compute/hyperpixel_flow.h"

#include "core/compute/class_activation.h"
#include "core/compute/memory_budget.h"
#include "core/compute/preprocess.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace hpf {
namespace {

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

LayerPass run_layers(Backbone& backbone, const at::Tensor& image, const std::vector<int>& layer_ids,
                     const MatchOptions& options) {
  LayerPass pass;
  if (options.needs_class_activation()) {
    ClassifierPass head;  // the CAM's first scale comes from the layers' own pass
    pass.maps = backbone.extract_with_classifier(image, layer_ids, &head);
    pass.class_activation = class_activation_map(backbone, image, head);
  } else {
    pass.maps = backbone.extract(image, layer_ids);
  }
  return pass;
}

Hyperpixels method_hyperpixels(const std::vector<at::Tensor>& maps, const std::vector<LayerInfo>& layers,
                               int image_width, int image_height, const MatchOptions& options,
                               const at::Tensor& class_activation) {
  HyperpixelOptions assembly = options.hyperpixels;
  assembly.prune_margin = options.prunes_margin();
  Hyperpixels hp = assemble_hyperpixels(maps, layers, image_width, image_height, assembly,
                                        /*materialize_features=*/!options.rhm.factorized_similarity);
  if (class_activation.defined() && hp.size() > 0) {
    hp.weights = cam_marginal_weights(class_activation, hp.centers);
  }
  return hp;
}

HyperpixelFlow::HyperpixelFlow(Backbone& backbone, MatchOptions options)
    : backbone_(backbone), options_(std::move(options)) {
  std::sort(options_.layers.begin(), options_.layers.end());
  options_.layers.erase(std::unique(options_.layers.begin(), options_.layers.end()), options_.layers.end());
  options_.check();
  for (int id : backbone_.checked_ids(options_.layers)) layers_.push_back(backbone_.layers()[id]);
  method_ = make_matching_method(options_);
}

ImageFeatures HyperpixelFlow::describe(const PreparedImage& image, StageTimings* timings) const {
  c10::InferenceMode inference;
  auto start = std::chrono::steady_clock::now();
  LayerPass pass = run_layers(backbone_, image.tensor, options_.layers, options_);
  if (timings) timings->backbone_ms += elapsed_ms(start);

  start = std::chrono::steady_clock::now();
  ImageFeatures features;
  features.image = image;
  features.class_activation = pass.class_activation;
  features.hyperpixels =
      method_hyperpixels(pass.maps, layers_, image.width(), image.height(), options_, pass.class_activation);
  if (features.hyperpixels.size() == 0) {
    throw std::invalid_argument("the image is too small for these layers: no hyperpixel survives");
  }
  if (timings) timings->hyperpixel_ms += elapsed_ms(start);
  return features;
}

void HyperpixelFlow::check_memory(int source_width, int source_height, int target_width,
                                  int target_height) const {
  int64_t channels = 0;
  for (const LayerInfo& layer : layers_) channels += layer.channels;
  const int64_t jump = layers_.front().jump;
  const int64_t budget = memory_budget_bytes(options_.memory_budget_mb);
  const auto need_at = [&](double scale) {
    const auto side = [scale](int v) { return std::max(1, static_cast<int>(v * scale)); };
    return estimate_match_bytes(estimate_hyperpixels(side(source_width), side(source_height), jump),
                                estimate_hyperpixels(side(target_width), side(target_height), jump), channels,
                                options_.rhm.factorized_similarity);
  };
  const int64_t need = need_at(1.0);
  if (need <= budget) return;
  // The need grows with the 4th power of the side: step the longer side down until the estimate fits.
  const int longest = std::max({source_width, source_height, target_width, target_height});
  int suggestion = 0;
  for (int side = (longest / 10) * 10; side >= 10; side -= 10) {
    if (need_at(static_cast<double>(side) / longest) <= budget) {
      suggestion = side;
      break;
    }
  }
  throw MemoryBudgetExceeded(
      "matching these images at " + std::to_string(longest) + " px needs about " + format_bytes(need) +
          " (the hyperpixel similarity grows with the 4th power of the "
          "image side), over the " +
          format_bytes(budget) + " memory budget; " +
          (suggestion ? "a longer image side of at most " + std::to_string(suggestion) + " px fits"
                      : std::string("no image side fits")) +
          ", or raise the memory budget",
      suggestion);
}

PairMatch HyperpixelFlow::match(const ImageFeatures& source, const ImageFeatures& target,
                                StageTimings* timings) const {
  c10::InferenceMode inference;
  check_memory(source.image.width(), source.image.height(), target.image.width(), target.image.height());
  return method_->match(source.hyperpixels, target.hyperpixels, timings ? &timings->rhm : nullptr);
}

}  // namespace hpf
