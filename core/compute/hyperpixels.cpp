#include "core/compute/hyperpixels.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace hpf {

at::Tensor receptive_field_boxes(int64_t grid_width, int64_t grid_height, int64_t jump,
                                 int64_t receptive_field, int64_t box_offset) {
  const auto options = at::TensorOptions().dtype(at::kFloat);
  const at::Tensor xs = at::arange(grid_width, options).repeat({grid_height});
  const at::Tensor ys = at::arange(grid_height, options).repeat_interleave(grid_width);
  const float half = static_cast<float>(receptive_field / 2);
  const float j = static_cast<float>(jump);
  const at::Tensor cx = xs * j + static_cast<float>(box_offset);
  const at::Tensor cy = ys * j + static_cast<float>(box_offset);
  return at::stack({cx - half, cy - half, cx + half, cy + half}, 1);
}

at::Tensor margin_mask(const at::Tensor& boxes, int image_width, int image_height, int64_t jump) {
  const float j = static_cast<float>(jump);
  return boxes.select(1, 0).ge(-j) & boxes.select(1, 1).ge(-j) &
         boxes.select(1, 2).lt(static_cast<float>(image_width) + j) &
         boxes.select(1, 3).lt(static_cast<float>(image_height) + j);
}

at::Tensor box_centers(const at::Tensor& boxes) {
  const at::Tensor x = boxes.select(1, 0) + at::floor_divide(boxes.select(1, 2) - boxes.select(1, 0), 2);
  const at::Tensor y = boxes.select(1, 1) + at::floor_divide(boxes.select(1, 3) - boxes.select(1, 1), 2);
  return at::stack({x, y}, 1);
}

Hyperpixels assemble_hyperpixels(const std::vector<at::Tensor>& layer_maps,
                                 const std::vector<LayerInfo>& layers, int image_width, int image_height,
                                 const HyperpixelOptions& options) {
  return assemble_hyperpixels(layer_maps, layers, image_width, image_height, options, true);
}

Hyperpixels assemble_hyperpixels(const std::vector<at::Tensor>& layer_maps,
                                 const std::vector<LayerInfo>& layers, int image_width, int image_height,
                                 const HyperpixelOptions& options, bool materialize_features) {
  if (layer_maps.empty() || layer_maps.size() != layers.size()) {
    throw std::invalid_argument("assemble_hyperpixels: need one feature map per layer, got " +
                                std::to_string(layer_maps.size()) + " maps for " +
                                std::to_string(layers.size()) + " layers");
  }
  for (size_t i = 1; i < layers.size(); ++i) {
    if (layers[i].id <= layers[i - 1].id)
      throw std::invalid_argument("assemble_hyperpixels: ids must ascend");
  }
  Hyperpixels hp;
  hp.layers = layers;
  hp.image_width = image_width;
  hp.image_height = image_height;
  const at::Tensor& base = layer_maps.front();
  hp.grid_height = base.size(2);
  hp.grid_width = base.size(3);
  for (const auto& map : layer_maps) hp.layer_maps.push_back(map.squeeze(0));

  const LayerInfo& base_layer = layers.front();
  const at::Tensor all_boxes = receptive_field_boxes(hp.grid_width, hp.grid_height, base_layer.jump,
                                                     base_layer.receptive_field, base_layer.box_offset);
  if (options.prune_margin) {
    hp.grid_index = margin_mask(all_boxes, image_width, image_height, base_layer.jump).nonzero().squeeze(1);
  } else {
    hp.grid_index = at::arange(all_boxes.size(0), at::TensorOptions().dtype(at::kLong));
  }
  hp.boxes = all_boxes.index_select(0, hp.grid_index);
  hp.centers = box_centers(hp.boxes);

  if (materialize_features) hp.features = hyperpixel_feature_rows(hp, {});
  return hp;
}

at::Tensor hyperpixel_feature_rows(const Hyperpixels& hp, const at::Tensor& rows) {
  if (hp.features.defined())
    return rows.defined() ? hp.features.index_select(0, rows.to(hp.features.device())) : hp.features;
  std::vector<at::Tensor> resized;
  resized.reserve(hp.layer_maps.size());
  resized.push_back(hp.layer_maps.front().unsqueeze(0));
  for (size_t i = 1; i < hp.layer_maps.size(); ++i) {
    resized.push_back(
        at::upsample_bilinear2d(hp.layer_maps[i].unsqueeze(0), {hp.grid_height, hp.grid_width}, true));
  }
  const at::Tensor concatenated = at::cat(resized, 1)[0];  // (D, h, w)
  const at::Tensor all = concatenated.view({concatenated.size(0), -1}).t();
  const at::Tensor positions =
      rows.defined() ? hp.grid_index.index_select(0, rows.to(hp.grid_index.device())) : hp.grid_index;
  return all.index_select(0, positions.to(all.device())).contiguous();
}

}  // namespace hpf
