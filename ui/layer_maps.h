#pragma once
// Every layer of the backbone on the loaded pair (worker thread): maps for display and the raw features for
// per-layer similarities at a queried point.

#include "core/compute/backbone.h"
#include "core/compute/match_options.h"
#include "core/image/image_io.h"
#include "ui/layer_tiles.h"

#include <functional>
#include <vector>

namespace hpf {

struct LayerMaps {
  std::vector<LayerTile> tiles;              // one per backbone layer, in id order
  std::vector<at::Tensor> source, target;    // (C, h, w) float32 CPU, per layer
  float source_ratio = 1, target_ratio = 1;  // decoded pixels -> network input pixels
};

// Runs the backbone once per image on all its layers, the images resized as the matching options resize them
// (so that the pair's scales index the maps). `check` is called between layers (may throw to cancel).
LayerMaps compute_layer_maps(Backbone& backbone, const DecodedImage& source, const DecodedImage& target,
                             const MatchOptions& options,
                             const std::function<void(int done, int total)>& check);

// Cosine similarity per layer between the source feature at `source_px` (original source pixels) and the
// target feature at `target_px` (original target pixels); positions map to each layer's grid by its jump.
std::vector<float> layer_similarity(const LayerMaps& maps, float source_scale, float target_scale, double sx,
                                    double sy, double tx, double ty);

}  // namespace hpf
