#pragma once
// Options of an evaluation run (hpf eval, the GUI's evaluation panel, and the layer search's scoring).

#include "datasets/dataset.h"

#include <string>
#include <vector>

namespace hpf {

enum class PckKind {
  PerImage,  // mean over pairs of each pair's fraction of correct keypoints (the paper, docs/method.md §6)
  PerKeypoint,  // correct keypoints over all keypoints of the split (many later papers)
};

struct EvalOptions {
  std::string split;  // empty: the dataset's default (the paper's)
  ThresholdKind threshold = ThresholdKind::BoundingBox;
  bool threshold_is_default = true;  // true: use the dataset's default threshold kind
  std::vector<std::string> alphas = {"0.05", "0.1", "0.15"};  // as written by the user; keys of the outputs
  PckKind pck = PckKind::PerImage;
  std::string output_dir;
  bool resume = false;                   // continue a run in output_dir, skipping finished pairs
  int shard_index = 0, shard_count = 1;  // evaluate pairs with index % shard_count == shard_index
  bool skip_bad = false;                 // record and skip a pair whose files or annotations are broken
  bool use_cache = true;                 // per-image feature cache + prefetching of the next images
  int cache_images = 64;                 // feature cache capacity (images)
  int64_t limit = 0;                     // evaluate only the first `limit` pairs of the split (0: all)
  std::vector<std::string> categories;   // restrict to these categories (empty: all)

  // Throws OptionError (core/compute/option_error.h) naming the first option whose value cannot be right:
  // "alphas" (finite numbers in (0, 1]), "shard" (0 <= index < count), "limit" (>= 0), "cache_images".
  void check() const;
};

// Parses PCK tolerances as users type them ("0.05,0.1, 0.15" or "0.05 0.1"), keeping each as written (the
// keys of the outputs). Throws OptionError("alphas") for a value that is not a finite number in (0, 1], or
// none.
std::vector<std::string> parse_alphas(const std::string& text);

std::string pck_kind_name(PckKind kind);
std::string threshold_name(ThresholdKind kind);

}  // namespace hpf
