#pragma once
// Backbone features of the search's images: one backbone pass per image gives the maps of every layer the
// search may use, kept at native resolution and reused by every candidate set and every depth. Bounded by
// bytes: the least recently used images are dropped and recomputed if needed again.
//
// Also keeps, per image, the small per-(base layer, layer) squared norms of the upsampled maps, which every
// candidate set containing the layer needs.

#include "core/compute/backbone.h"
#include "core/compute/preprocess.h"
#include "datasets/dataset.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hpf {

struct StoredImage {
  PreparedImage image;
  float decode_scale = 1.0f;
  std::map<int, at::Tensor> maps;  // layer id -> (C, h, w) float32 contiguous
  at::Tensor class_activation;     // (H, W) SCOT's CAM (docs/method.md §10.2) when the match options use it
  size_t bytes = 0;

  // Squared norms of layers upsampled to a base grid (candidate_scorer.cpp).
  mutable std::mutex norms_mutex;
  // (grid height, grid width, layer) -> squared norms of the layer upsampled to that base grid, the whole
  // grid (bases with the same jump share it; each takes its kept rectangle)
  mutable std::map<std::tuple<int64_t, int64_t, int>, at::Tensor> norms;
};

class ImageStore {
 public:
  // `layer_ids`: every layer the search may use. `match`: the resize rule, and whether the images need class
  // activation maps (SCOT). `budget_bytes`: soft limit of the maps kept (the two images of the pair in flight
  // are always kept).
  ImageStore(const Dataset& dataset, Backbone& backbone, std::vector<int> layer_ids,
             const MatchOptions& match, size_t budget_bytes);

  // The image's features, from memory or from a fresh backbone pass. Throws naming the file if it cannot be
  // read.
  std::shared_ptr<const StoredImage> get(const std::string& path);

  int64_t backbone_passes() const { return passes_; }
  int64_t hits() const { return hits_; }

 private:
  const Dataset& dataset_;
  Backbone& backbone_;
  std::vector<int> layer_ids_;
  MatchOptions match_;
  size_t budget_;
  size_t used_ = 0;
  std::list<std::string> order_;  // most recent first
  std::unordered_map<std::string,
                     std::pair<std::shared_ptr<const StoredImage>, std::list<std::string>::iterator>>
      entries_;
  int64_t passes_ = 0, hits_ = 0;
};

}  // namespace hpf
