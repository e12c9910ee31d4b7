#pragma once
// Hyperpixels (docs/method.md §3): features of several layers, upsampled to the finest ("base") layer and
// concatenated, each position with the receptive-field box of the base layer.

#include "core/compute/layer_geometry.h"
#include "core/compute/match_options.h"

#include <ATen/core/Tensor.h>

#include <vector>

namespace hpf {

struct Hyperpixels {
  at::Tensor features;    // (N, D) float32: one row per kept position, row-major over the base grid
  at::Tensor boxes;       // (N, 4) float32 [x1, y1, x2, y2] in resized-image pixels (integer valued)
  at::Tensor centers;     // (N, 2) float32 box centres x1 + floor((x2-x1)/2), likewise y
  at::Tensor grid_index;  // (N,) int64: position of each row in the full base grid (y * grid_width + x)
  at::Tensor weights;  // (N,) float32 marginal weights (SCOT's CAM, docs/method.md §10.2); undefined: uniform
  std::vector<at::Tensor> layer_maps;  // per chosen layer, its (C, h, w) map at native resolution
  std::vector<LayerInfo> layers;       // the chosen layers, ascending id; layers[0] is the base
  int64_t grid_width = 0;
  int64_t grid_height = 0;
  int image_width = 0;  // resized image the features came from
  int image_height = 0;
  int64_t size() const { return grid_index.defined() ? grid_index.size(0) : 0; }
};

// Receptive-field boxes of a grid_height x grid_width map, row by row: position (x, y) gets the square of
// side 2 * (receptive_field / 2) centred at (x * jump + box_offset, y * jump + box_offset).
at::Tensor receptive_field_boxes(int64_t grid_width, int64_t grid_height, int64_t jump,
                                 int64_t receptive_field, int64_t box_offset = 0);

// Boolean mask of boxes kept by the margin rule: x1 >= -j, y1 >= -j, x2 < W + j, y2 < H + j.
at::Tensor margin_mask(const at::Tensor& boxes, int image_width, int image_height, int64_t jump);

// Box centres with the reference's integer halving.
at::Tensor box_centers(const at::Tensor& boxes);

// Assembles hyperpixels from the layer maps returned by Backbone::extract (each (1, C, h, w), in the order of
// `layers`, which must be ascending by id). Only the base layer keeps its native resolution; the others are
// resized to it with bilinear interpolation, align_corners=true.
Hyperpixels assemble_hyperpixels(const std::vector<at::Tensor>& layer_maps,
                                 const std::vector<LayerInfo>& layers, int image_width, int image_height,
                                 const HyperpixelOptions& options = {});

// The concatenated (upsampled) features of the given rows, (rows, D): hp.features where it was materialised,
// else rebuilt from the layer maps. For point queries and other small selections.
at::Tensor hyperpixel_feature_rows(const Hyperpixels& hp, const at::Tensor& rows);

// The concatenated features are only materialised when `materialize_features` is true; the factorised
// correlation works from layer_maps alone.
Hyperpixels assemble_hyperpixels(const std::vector<at::Tensor>& layer_maps,
                                 const std::vector<LayerInfo>& layers, int image_width, int image_height,
                                 const HyperpixelOptions& options, bool materialize_features);

}  // namespace hpf
