#include "core/search/candidate_scorer.h"

#include "core/compute/rhm.h"
#include "core/eval/pair_evaluation.h"
#include "core/pipeline/pair_matching.h"
#include "core/search/similarity_kernel.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>

namespace hpf {
namespace {

namespace sk = search_kernel;

// Source columns are split into this many tasks whatever the thread count, and each task votes into its own
// histograms, summed in task order: the scores do not depend on how many threads ran them.
constexpr int64_t kTasks = 16;

// One image's kept base positions: the margin rule is separable, so they form a rectangle of the base grid.
struct BaseGrid {
  Hyperpixels hp;  // boxes, centres and grid index (no features)
  int64_t x0 = 0, y0 = 0, width = 0, height = 0;
  std::vector<int32_t> cx, cy;  // box centre per kept column / row
  int64_t size() const { return width * height; }
};

BaseGrid base_grid(const StoredImage& image, const LayerInfo& base, const HyperpixelOptions& options) {
  BaseGrid g;
  g.hp = assemble_hyperpixels({image.maps.at(base.id).unsqueeze(0)}, {base}, image.image.width(),
                              image.image.height(), options, /*materialize_features=*/false);
  const int64_t n = g.hp.size();
  if (n == 0) return g;
  const at::Tensor index = g.hp.grid_index.to(at::kCPU);
  const at::Tensor gx = index.remainder(g.hp.grid_width), gy = index.div(g.hp.grid_width, "floor");
  g.x0 = gx.min().item<int64_t>();
  g.y0 = gy.min().item<int64_t>();
  g.width = gx.max().item<int64_t>() - g.x0 + 1;
  g.height = gy.max().item<int64_t>() - g.y0 + 1;
  if (g.width * g.height != n) {
    throw std::logic_error("layer search: the kept hyperpixels do not form a rectangle of the base grid");
  }
  const at::Tensor centers = g.hp.centers.to(at::kCPU).to(at::kInt).contiguous();
  const auto c = centers.accessor<int32_t, 2>();
  for (int64_t x = 0; x < g.width; ++x) g.cx.push_back(c[x][0]);
  for (int64_t y = 0; y < g.height; ++y) g.cy.push_back(c[y * g.width][1]);
  return g;
}

// (N, C) features of a layer at the base resolution, at the kept positions in row-major order.
at::Tensor kept_rows(const at::Tensor& map, const BaseGrid& g) {
  return map.slice(1, g.y0, g.y0 + g.height)
      .slice(2, g.x0, g.x0 + g.width)
      .reshape({map.size(0), -1})
      .t()
      .contiguous();
}

// Squared norms at the kept base positions of `layer` upsampled to the base grid (align_corners=true), as the
// matcher computes them: channel slices, so the upsampled map never exists whole. Cached per image.
at::Tensor squared_norms(const StoredImage& image, const BaseGrid& g, int base, int layer) {
  std::lock_guard<std::mutex> lock(image.norms_mutex);
  const auto key = std::make_pair(base, layer);
  auto found = image.norms.find(key);
  if (found != image.norms.end()) return found->second;
  const at::Tensor& map = image.maps.at(layer);
  at::Tensor total = at::zeros({g.hp.grid_height, g.hp.grid_width}, map.options());
  constexpr int64_t kChannelsPerSlice = 256;
  for (int64_t c = 0; c < map.size(0); c += kChannelsPerSlice) {
    at::Tensor slice = map.slice(0, c, c + kChannelsPerSlice).unsqueeze(0);
    if (slice.size(2) != g.hp.grid_height || slice.size(3) != g.hp.grid_width) {
      slice = at::upsample_bilinear2d(slice, {g.hp.grid_height, g.hp.grid_width}, /*align_corners=*/true);
    }
    total += slice.squeeze(0).pow(2).sum(0);
  }
  at::Tensor norms =
      total.slice(0, g.y0, g.y0 + g.height).slice(1, g.x0, g.x0 + g.width).reshape({-1}).contiguous();
  image.norms.emplace(key, norms);
  return norms;
}

// Bilinear (align_corners=true) taps of output index `out` from an input axis of `in` samples, computed in float
// as ATen computes them.
struct Tap1d {
  int64_t low, high;
  float high_weight;
};
Tap1d tap(int64_t out, int64_t in_size, int64_t out_size) {
  const float scale = out_size > 1 ? static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1) : 0.f;
  const float real = scale * static_cast<float>(out);
  const int64_t low = std::min(static_cast<int64_t>(real), in_size - 1);
  const int64_t high = low < in_size - 1 ? low + 1 : low;
  return {low, high, real - static_cast<float>(low)};
}

// For every kept source position, its 4 positions on an h x w coarse map and their weights.
struct SourceTaps {
  std::vector<int64_t> index;  // 4 per kept row
  std::vector<float> weight;
};
SourceTaps source_taps(const BaseGrid& g, int64_t h, int64_t w) {
  SourceTaps t;
  t.index.reserve(4 * g.size());
  t.weight.reserve(4 * g.size());
  for (int64_t y = 0; y < g.height; ++y) {
    const Tap1d ty = tap(g.y0 + y, h, g.hp.grid_height);
    for (int64_t x = 0; x < g.width; ++x) {
      const Tap1d tx = tap(g.x0 + x, w, g.hp.grid_width);
      t.index.insert(t.index.end(),
                     {ty.low * w + tx.low, ty.low * w + tx.high, ty.high * w + tx.low, ty.high * w + tx.high});
      t.weight.insert(t.weight.end(), {(1 - ty.high_weight) * (1 - tx.high_weight), (1 - ty.high_weight) * tx.high_weight,
                                       ty.high_weight * (1 - tx.high_weight), ty.high_weight * tx.high_weight});
    }
  }
  return t;
}

// A coarse layer's Gram matrix with the source at native resolution and the target interpolated to the kept target
// positions: (h_s * w_s, N_t). A source row of the full similarity is 4 taps of its rows.
at::Tensor coarse_correlation(const at::Tensor& source_map, const at::Tensor& target_map, const BaseGrid& target) {
  const int64_t c = source_map.size(0);
  const at::Tensor gram = at::mm(source_map.reshape({c, -1}).t(), target_map.reshape({c, -1}));
  const at::Tensor grid = gram.view({1, gram.size(0), target_map.size(1), target_map.size(2)});
  const at::Tensor up =
      at::upsample_bilinear2d(grid, {target.hp.grid_height, target.hp.grid_width}, /*align_corners=*/true)[0];
  return up.slice(1, target.y0, target.y0 + target.height)
      .slice(2, target.x0, target.x0 + target.width)
      .reshape({gram.size(0), -1})
      .contiguous();
}

// Hough bins of the pair, split by axis: bin(i, j) = bin_y[row_i * H_t + row_j] * bins_x + bin_x[col_i * W_t + col_j].
// The look-up tables are built exactly as the matcher builds them (rhm.cpp), so the bins are the same integers.
struct HoughTables {
  int64_t bins_x = 0, bins_y = 0;
  std::vector<int32_t> bin_x, bin_y;
  std::vector<int32_t> y_first, y_last;  // per source row: the range of y bins its votes reach
};

std::vector<int32_t> axis_lut(int64_t lo, int64_t hi, double cell_size, int64_t bins) {
  const at::Tensor lut = at::arange(lo, hi + 1, at::TensorOptions().dtype(at::kFloat)).div(cell_size).to(at::kLong);
  if (lut.min().item<int64_t>() < 0 || lut.max().item<int64_t>() >= bins) {
    throw std::runtime_error("RHM: a translation vote falls outside the Hough space (boxes far outside the image)");
  }
  const at::Tensor as_int = lut.to(at::kInt).contiguous();
  return std::vector<int32_t>(as_int.data_ptr<int32_t>(), as_int.data_ptr<int32_t>() + as_int.numel());
}

HoughTables hough_tables(const BaseGrid& s, const BaseGrid& t, const RhmOptions& options) {
  const HoughSpace space =
      hough_space(s.hp.image_width, s.hp.image_height, t.hp.image_width, t.hp.image_height, options.ncells);
  HoughTables h;
  h.bins_x = space.bins_x;
  h.bins_y = space.bins_y;
  const auto [sx_min, sx_max] = std::minmax_element(s.cx.begin(), s.cx.end());
  const auto [sy_min, sy_max] = std::minmax_element(s.cy.begin(), s.cy.end());
  const auto [tx_min, tx_max] = std::minmax_element(t.cx.begin(), t.cx.end());
  const auto [ty_min, ty_max] = std::minmax_element(t.cy.begin(), t.cy.end());
  const int64_t lo_x = s.hp.image_width - *sx_max + *tx_min, hi_x = s.hp.image_width - *sx_min + *tx_max;
  const int64_t lo_y = s.hp.image_height - *sy_max + *ty_min, hi_y = s.hp.image_height - *sy_min + *ty_max;
  const std::vector<int32_t> lut_x = axis_lut(lo_x, hi_x, space.cell_size, space.bins_x);
  const std::vector<int32_t> lut_y = axis_lut(lo_y, hi_y, space.cell_size, space.bins_y);
  for (int64_t xs = 0; xs < s.width; ++xs) {
    for (int64_t xt = 0; xt < t.width; ++xt) h.bin_x.push_back(lut_x[s.hp.image_width - s.cx[xs] + t.cx[xt] - lo_x]);
  }
  for (int64_t ys = 0; ys < s.height; ++ys) {
    for (int64_t yt = 0; yt < t.height; ++yt) {
      h.bin_y.push_back(lut_y[s.hp.image_height - s.cy[ys] + t.cy[yt] - lo_y]);
    }
  }
  return h;
}

std::vector<Point2> to_points(const std::vector<Keypoint>& kps) {
  std::vector<Point2> points;
  for (const Keypoint& k : kps) points.push_back({k.x, k.y});
  return points;
}

// Kept source rows whose box contains a keypoint (inclusive), with the comparisons transfer_keypoints makes.
std::vector<int64_t> covering_rows(const PairAnnotation& pair, const BaseGrid& s, float source_scale) {
  const at::Tensor kps = scale_points(to_points(pair.source_kps), source_scale);
  if (kps.size(0) == 0) return {};
  const at::Tensor boxes = s.hp.boxes.to(at::kCPU);
  const at::Tensor kx = kps.select(1, 0).unsqueeze(1), ky = kps.select(1, 1).unsqueeze(1);
  const at::Tensor covers = kx.ge(boxes.select(1, 0).unsqueeze(0)) & ky.ge(boxes.select(1, 1).unsqueeze(0)) &
                            kx.le(boxes.select(1, 2).unsqueeze(0)) & ky.le(boxes.select(1, 3).unsqueeze(0));
  const at::Tensor rows = covers.any(0).nonzero().squeeze(1).contiguous();
  return std::vector<int64_t>(rows.data_ptr<int64_t>(), rows.data_ptr<int64_t>() + rows.numel());
}

// Everything of one pair and one base layer that candidates with that base share.
struct PairBase {
  BaseGrid source, target;
  HoughTables hough;
  std::vector<int64_t> kp_rows;  // kept source rows the keypoint transfer reads
  std::map<int, at::Tensor> coarse;           // layer -> coarse correlation (budgeted)
  std::map<std::pair<int64_t, int64_t>, SourceTaps> taps;  // coarse map size -> taps
  bool empty() const { return source.size() == 0 || target.size() == 0; }
};

// A layer's contribution to a set's dot products.
struct LayerTerm {
  bool dense = false;                  // at the base resolution: a product of kept rows
  at::Tensor source_rows, target_rows; // dense: (N_s, C), (N_t, C)
  at::Tensor coarse;                   // otherwise: coarse correlation (h_s * w_s, N_t)
  const SourceTaps* taps = nullptr;
};

