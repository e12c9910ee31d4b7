#pragma once
// The options of one pair's matching, with their one set of defaults and their one validation. Shared by the
// CLI (which maps its flags onto these fields), the GUI (whose widgets edit these fields) and the run files
// (which record them). Free of LibTorch, so GUI headers can hold it.

#include "core/compute/layer_set.h"
#include "core/compute/option_error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hpf {

struct RhmOptions {
  double exponent = 3.0;    // d in max(0, cos)^d; 1 with voting off is the paper's nearest-neighbour baseline
  int64_t ncells = 8192;    // number of Hough cells over the translation space
  int64_t kernel_size = 7;  // side of the Gaussian smoothing the histogram (odd)
  bool hough_voting = true;  // false: confidence = appearance similarity alone
  // How the N_s x N_t cosine similarity is computed:
  //  true:  factorised per layer at native resolution, then interpolated (same values up to rounding,
  //  faster); false: as the reference does, from the concatenated, upsampled features (bit-compatible).
  bool factorized_similarity = true;
};

// SCOT's optimal-transport matching (docs/method.md §10), with the published code's defaults.
struct OtOptions {
  double epsilon =
      0.05;  // entropic regularisation of the one Sinkhorn step (doubled while the plan has a NaN)
  double exponent =
      0.5;          // exp2: votes = (N_s * plan)^exponent; 0.5 for PF-PASCAL/PF-WILLOW, 1.0 for SPair-71k
  bool cam = true;  // marginals from class activation maps (false: uniform marginals)
};

struct HyperpixelOptions {
  // Drop boxes reaching more than one jump beyond the image (every benchmark but Caltech-101 does this).
  bool prune_margin = true;
};

// Bounds that keep every option's time and memory finite before any work starts (the memory budget bounds the
// image side further, per pair).
struct MatchLimits {
  static constexpr double kMaxExponent = 32;  // cos^d of cos <= 0.9 underflows float32 for d ~ 1000
  static constexpr int64_t kMaxCells = 1 << 20;
  static constexpr int64_t kMaxKernel = 101;
  static constexpr int kMinSide = 32;    // below it no backbone keeps a hyperpixel of its deeper layers
  static constexpr int kMaxSide = 4096;  // the image decoder's own cap
  static constexpr int64_t kMaxMemoryBudgetMb = int64_t{1} << 24;  // 16 TB
  // exp(-1/epsilon) underflows float32 below ~0.0115 (the plan then needs doublings); above 10 the plan is
  // the product of the marginals whatever the images.
  static constexpr double kMinOtEpsilon = 1e-3;
  static constexpr double kMaxOtEpsilon = 10;
  static constexpr double kMaxOtExponent = 8;
};

struct MatchOptions {
  std::string method = "hpf";  // the matching method, by name (matching_method_names())
  LayerSet layers;             // hyperpixel layer ids; the smallest is the base layer
  RhmOptions rhm;              // HPF's similarity exponent; the Hough space and smoothing of both methods
  OtOptions ot;                // method "scot" only
  HyperpixelOptions hyperpixels;
  int max_side = 300;            // longer image side after preprocessing; 0 keeps the original size
  int64_t memory_budget_mb = 0;  // refuse pairs whose matching would need more (0: half the physical memory)

  // Throws OptionError naming the first option whose value cannot be right, with the accepted range. Layer
  // ids are checked against a backbone by HyperpixelFlow (which knows how many layers it has).
  void check() const;

  // SCOT's published code resizes every image so that its longer side is exactly max_side (enlarging small
  // ones) and keeps the boxes on the image margin; HPF's only shrinks and prunes them (when asked).
  bool enlarges_to_max_side() const { return method == "scot"; }
  bool prunes_margin() const { return method != "scot" && hyperpixels.prune_margin; }
  // Whether the hyperpixels need class activation maps (SCOT's CAM marginals).
  bool needs_class_activation() const { return method == "scot" && ot.cam; }
};

// Every field equal (the GUI matches a pair again when any option changed).
bool operator==(const MatchOptions& a, const MatchOptions& b);
inline bool operator!=(const MatchOptions& a, const MatchOptions& b) {
  return !(a == b);
}

// Names of the matching methods make_matching_method() knows, the default first.
std::vector<std::string> matching_method_names();

}  // namespace hpf
