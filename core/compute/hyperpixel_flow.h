#pragma once
// Hyperpixel Flow on one image pair: backbone -> hyperpixels -> matching method (RHM) -> best matches.
// Keypoint transfer and evaluation build on the PairMatch it returns.

#include "core/compute/backbone.h"
#include "core/compute/hyperpixels.h"
#include "core/compute/match_options.h"
#include "core/compute/matching_method.h"
#include "core/compute/preprocess.h"

#include <memory>
#include <string>
#include <vector>

namespace hpf {

struct StageTimings {
  double backbone_ms = 0, hyperpixel_ms = 0;
  RhmTimings rhm;
  double transfer_ms = 0;
  double total_ms() const {
    return backbone_ms + hyperpixel_ms + rhm.similarity_ms + rhm.transport_ms + rhm.voting_ms +
           rhm.smoothing_ms + rhm.argmax_ms + transfer_ms;
  }
};

struct ImageFeatures {
  PreparedImage image;
  Hyperpixels hyperpixels;
  at::Tensor class_activation;  // (H, W) over the resized image when the method uses CAM marginals (SCOT)
};

// One backbone pass over a prepared (1, 3, H, W) image as the matching method of `options` needs it: the
// outputs of `layer_ids`, and the class activation map when its marginals use one (SCOT with CAM; undefined
// otherwise). The one place the pair job and the layer search's image store run the backbone.
struct LayerPass {
  std::vector<at::Tensor> maps;
  at::Tensor class_activation;
};
LayerPass run_layers(Backbone& backbone, const at::Tensor& image, const std::vector<int>& layer_ids,
                     const MatchOptions& options);

// Hyperpixels of the layer maps (ascending `layers`) under the method's rules: its margin pruning, its
// features materialised or not, and the CAM marginal weights when `class_activation` is defined.
Hyperpixels method_hyperpixels(const std::vector<at::Tensor>& maps, const std::vector<LayerInfo>& layers,
                               int image_width, int image_height, const MatchOptions& options,
                               const at::Tensor& class_activation);

class HyperpixelFlow {
 public:
  // Sorts the layer ids, checks the options (OptionError) and the ids against the backbone
  // (std::invalid_argument names the offending id), and makes the matching method the options name.
  HyperpixelFlow(Backbone& backbone, MatchOptions options);

  const MatchOptions& options() const { return options_; }
  Backbone& backbone() const { return backbone_; }

  // Hyperpixels of one preprocessed image.
  ImageFeatures describe(const PreparedImage& image, StageTimings* timings = nullptr) const;

  // Throws MemoryBudgetExceeded (memory_budget.h) when matching images of these resized sizes would exceed
  // the memory budget, with a smaller max_side that fits. Cheap: call it before the backbone runs.
  void check_memory(int source_width, int source_height, int target_width, int target_height) const;

  // The matching method between two described images (checks the memory budget with the exact hyperpixel
  // counts first).
  PairMatch match(const ImageFeatures& source, const ImageFeatures& target,
                  StageTimings* timings = nullptr) const;

 private:
  Backbone& backbone_;
  MatchOptions options_;
  std::vector<LayerInfo> layers_;
  std::shared_ptr<const MatchingMethod> method_;
};

}  // namespace hpf
