#pragma once
// A backbone's layer outputs for one image, exported for use elsewhere (`hpf features`): DIR/layer_<id>.npy,
// float32 C x h x w each, and DIR/features.json describing them (backbone, layers with jump and receptive
// field, the input size after preprocessing, the resize ratio).

#include "core/compute/backbone.h"
#include "core/image/image_io.h"

#include <string>
#include <vector>

namespace hpf {

struct FeatureExportOptions {
  std::vector<int> layers;  // layer ids (empty: the backbone's default set; DINOv2: every block)
  int max_side = 300;       // HPF's resize rule (0 keeps the original size)
  // Only convert to RGB float and normalise (ImageNet mean/std): no resize, so a caller feeds exactly the
  // tensor it wants.
  bool raw_input = false;
};

// Runs the backbone and writes the files (atomically, creating `dir`). Returns the paths written. Throws
// std::invalid_argument for an unknown layer id.
std::vector<std::string> export_features(Backbone& backbone, const DecodedImage& image,
                                         const FeatureExportOptions& options, const std::string& dir);

}  // namespace hpf
