#pragma once
// Per-layer feature maps of the loaded pair for the "Hyperpixel layers" view, as images (torch-free).

#include "core/compute/layer_geometry.h"

#include <QImage>

#include <vector>

namespace hpf {

struct LayerTile {
  LayerInfo info;
  QImage source, target;  // first three principal components of the layer's features as RGB (shared basis)
};

}  // namespace hpf
