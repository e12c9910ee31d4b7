#pragma once
// Hyperpixel Flow on one image pair: backbone -> hyperpixels -> RHM -> best matches. Keypoint transfer and
// evaluation build on the PairMatch it returns.

#include "core/compute/backbone.h"
#include "core/compute/hyperpixels.h"
#include "core/compute/preprocess.h"
#include "core/compute/rhm.h"

#include <string>
#include <vector>

namespace hpf {

struct MatchOptions {
  std::vector<int> layers;     // hyperpixel layer ids; the smallest is the base layer
  RhmOptions rhm;
  HyperpixelOptions hyperpixels;
  int max_side = 300;          // longer image side after preprocessing (§2); 0 keeps the original size
  int64_t memory_budget_mb = 0;  // refuse pairs whose matching would need more (0: half the physical memory)
};

// Parses "2,4,7,10,13" (any non-digit separates) into sorted, de-duplicated ids. Throws for an empty set.
std::vector<int> parse_layer_ids(const std::string& text);

struct StageTimings {
  double backbone_ms = 0, hyperpixel_ms = 0;
  RhmTimings rhm;
  double transfer_ms = 0;
};

struct ImageFeatures {
  PreparedImage image;
  Hyperpixels hyperpixels;
};

struct PairMatch {
  Correlation correlation;
  BestMatches best;
};

class HyperpixelFlow {
 public:
  // Checks the layer ids against the backbone (std::invalid_argument names the offending id).
  HyperpixelFlow(Backbone& backbone, MatchOptions options);

  const MatchOptions& options() const { return options_; }
  Backbone& backbone() const { return backbone_; }

  // Hyperpixels of one preprocessed image.
  ImageFeatures describe(const PreparedImage& image, StageTimings* timings = nullptr) const;

  // Throws MemoryBudgetExceeded (memory_budget.h) when matching images of these resized sizes would exceed the
  // memory budget, with a smaller max_side that fits. Cheap: call it before the backbone runs.
  void check_memory(int source_width, int source_height, int target_width, int target_height) const;

  // RHM between two described images (checks the memory budget with the exact hyperpixel counts first).
  PairMatch match(const ImageFeatures& source, const ImageFeatures& target, StageTimings* timings = nullptr) const;

 private:
  Backbone& backbone_;
  MatchOptions options_;
  std::vector<LayerInfo> layers_;
};

}  // namespace hpf
