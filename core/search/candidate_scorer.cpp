#include "core/search/candidate_scorer.h"

#include "core/compute/base_dots.h"
#include "core/compute/bilinear_tap.h"
#include "core/compute/hough_kernels.h"

#include "core/compute/rhm.h"
#include "core/eval/pair_evaluation.h"
#include "core/pipeline/pair_matching.h"
#include "core/search/similarity_kernel.h"
#include "core/search/upsampled_norms.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>
#include <tuple>

namespace hpf {
namespace {

namespace sk = search_kernel;

// Source columns are split into this many tasks whatever the thread count, and each task votes into its own
// histograms, summed in task order: the scores do not depend on how many threads ran them.
constexpr int64_t kTasks = 16;

// Source rows of a column are scored in blocks of this many: each member then runs over the whole block,
// reusing its reciprocal norms and accumulator from cache; the block's shared rows (16 x N_t floats, ~1 MB
// at MobileNetV2's stride 2) stay in L2 for all members.
constexpr int64_t kBlockRows = 16;

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

// Target-side rows are laid out with a row stride rounded up to the row kernels' vector width (8), so they
// never run a scalar tail (the kept width is ~100-150; a scalar tail of a few values costs as much as the
// vector part). Padding columns hold zero features and zero reciprocal norms: their similarity is exactly 0
// and votes nothing.
constexpr int64_t kRowAlign = 8;
int64_t padded_width(int64_t width) {
  return (width + kRowAlign - 1) / kRowAlign * kRowAlign;
}

// Kept target rows (height * width [, C]) in row-major order -> (height * padded, [C]), zeros in the padding.
at::Tensor pad_target_rows(const at::Tensor& kept, int64_t height, int64_t width, int64_t padded) {
  if (padded == width) return kept;
  const at::Tensor grid = kept.reshape({height, width, -1});
  const at::Tensor out = at::constant_pad_nd(grid, {0, 0, 0, padded - width});
  return kept.dim() == 1 ? out.reshape({-1}) : out.reshape({height * padded, -1});
}

// Squared norms at the kept base positions of `layer` upsampled to the base grid. Cached per image and grid
// size over the whole grid: bases of the same jump share it.
at::Tensor squared_norms(const StoredImage& image, const BaseGrid& g, int layer) {
  std::lock_guard<std::mutex> lock(image.norms_mutex);
  const auto key = std::make_tuple(g.hp.grid_height, g.hp.grid_width, layer);
  auto found = image.norms.find(key);
  if (found == image.norms.end()) {
    found =
        image.norms
            .emplace(key, upsampled_squared_norms(image.maps.at(layer), g.hp.grid_height, g.hp.grid_width))
            .first;
  }
  return found->second.slice(0, g.y0, g.y0 + g.height)
      .slice(1, g.x0, g.x0 + g.width)
      .reshape({-1})
      .contiguous();
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
    const BilinearTap ty = bilinear_tap(g.y0 + y, h, g.hp.grid_height);
    for (int64_t x = 0; x < g.width; ++x) {
      const BilinearTap tx = bilinear_tap(g.x0 + x, w, g.hp.grid_width);
      t.index.insert(t.index.end(), {ty.low * w + tx.low, ty.low * w + tx.high, ty.high * w + tx.low,
                                     ty.high * w + tx.high});
      t.weight.insert(t.weight.end(),
                      {(1 - ty.high_weight) * (1 - tx.high_weight), (1 - ty.high_weight) * tx.high_weight,
                       ty.high_weight * (1 - tx.high_weight), ty.high_weight * tx.high_weight});
    }
  }
  return t;
}

// Row stride of the correlations below for a base grid `grid_width` columns wide: room for any kept column
// range read as a padded row (x0 + padded_width(width) <= this).
int64_t correlation_stride(int64_t grid_width) {
  return padded_width(grid_width) + kRowAlign;
}

// A coarse layer's correlation with the target map interpolated along x to every column of a base grid
// `grid_width` wide: (h_s * w_s, h_t * correlation_stride), the source side and the target rows still at
// native resolution, zeros past the grid. A source row of the similarity blends 4 of its rows (the source
// taps), reading a base's kept columns, and then 2 of each result's rows per kept target row
// (sk::TargetTaps). Interpolation is linear, so the Gram matrix at native resolution is computed first (C
// channels against w_t target columns, not grid_width) and its rows interpolated after. Bases with the same
// grid width (the same jump) share it whatever their kept columns.
at::Tensor correlation_along_x(const at::Tensor& source_map, const at::Tensor& target_map,
                               int64_t grid_width) {
  const int64_t c = source_map.size(0), h = target_map.size(1), w = target_map.size(2);
  const int64_t stride = correlation_stride(grid_width);
  const at::Tensor gram = at::mm(source_map.reshape({c, -1}).t(), target_map.reshape({c, -1})).contiguous();
  const int64_t rows = gram.size(0);
  std::vector<BilinearTap> taps;
  for (int64_t x = 0; x < grid_width; ++x) taps.push_back(bilinear_tap(x, w, grid_width));
  at::Tensor out = at::zeros({rows, h * stride}, gram.options());
  const float* g = gram.data_ptr<float>();
  float* o = out.data_ptr<float>();
  at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t q = begin; q < end; ++q) {
      for (int64_t cy = 0; cy < h; ++cy) {
        const float* in = g + (q * h + cy) * w;
        float* row = o + (q * h + cy) * stride;
        for (int64_t x = 0; x < grid_width; ++x) {
          row[x] = (1 - taps[x].high_weight) * in[taps[x].low] + taps[x].high_weight * in[taps[x].high];
        }
      }
    }
  });
  return out;
}

// The bilinear taps along y of an h-row coarse target map at the kept target rows of `g`, for rows of
// `padded` values read from correlation_along_x rows at the kept columns.
sk::TargetTaps target_taps(const BaseGrid& g, int64_t h, int64_t padded) {
  sk::TargetTaps t;
  t.coarse_h = h;
  t.width = padded;
  t.first_column = g.x0;
  t.correlation_stride = correlation_stride(g.hp.grid_width);
  for (int64_t y = 0; y < g.height; ++y) {
    const BilinearTap tap = bilinear_tap(g.y0 + y, h, g.hp.grid_height);
    t.y_low.push_back(static_cast<int32_t>(tap.low));
    t.y_high.push_back(static_cast<int32_t>(tap.high));
    t.y_w0.push_back(1 - tap.high_weight);
    t.y_w1.push_back(tap.high_weight);
  }
  return t;
}

// Hough bins of the pair, split by axis: bin(i, j) = bin_y[row_i * H_t + row_j] * bins_x + bin_x[col_i * W_t
// + col_j]. The look-up tables are built exactly as the matcher builds them (rhm.cpp), so the bins are the
// same integers.
struct HoughTables {
  int64_t bins_x = 0, bins_y = 0;
  std::vector<int32_t> bin_x, bin_y;
};

std::vector<int32_t> axis_lut(int64_t lo, int64_t hi, double cell_size, int64_t bins) {
  const at::Tensor lut =
      at::arange(lo, hi + 1, at::TensorOptions().dtype(at::kFloat)).div(cell_size).to(at::kLong);
  if (lut.min().item<int64_t>() < 0 || lut.max().item<int64_t>() >= bins) {
    throw std::runtime_error(
        "RHM: a translation vote falls outside the Hough space (boxes far outside the image)");
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
    for (int64_t xt = 0; xt < t.width; ++xt)
      h.bin_x.push_back(lut_x[s.hp.image_width - s.cx[xs] + t.cx[xt] - lo_x]);
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
  std::vector<int64_t> kp_rows;                            // kept source rows the keypoint transfer reads
  std::map<std::pair<int64_t, int64_t>, SourceTaps> taps;  // coarse source map size -> taps
  std::map<int64_t, sk::TargetTaps> target_taps;           // coarse target map height -> taps
  int64_t row = 0;                  // target row stride: the kept width padded (padded_width)
  std::vector<int32_t> bin_x_rows;  // hough.bin_x with that stride, padding columns voting into bin 0
  bool empty() const { return source.size() == 0 || target.size() == 0; }
};

// A layer's contribution to a set's dot products.
struct LayerTerm {
  bool dense = false;                   // at the base resolution: a product of kept rows
  at::Tensor source_rows, target_rows;  // dense: (N_s, C), (kept target rows * padded width, C)
  at::Tensor along_x;                   // otherwise: correlation_along_x for the base's grid width
  const SourceTaps* taps = nullptr;
  const sk::TargetTaps* target_taps = nullptr;
};

bool same_size(const at::Tensor& a, const at::Tensor& b) {
  return a.size(1) == b.size(1) && a.size(2) == b.size(2);
}

// The per-pair state: the two images' features and, per base layer, what its candidates share.
class PairState {
 public:
  PairState(const Backbone& backbone, const ScorerOptions& options, const PairAnnotation& pair,
            const StoredImage& source, const StoredImage& target)
      : backbone_(backbone), options_(options), pair_(pair), source_(source), target_(target) {}

  PairBase& base(int id) {
    auto found = bases_.find(id);
    if (found != bases_.end()) return found->second;
    PairBase& b = bases_[id];
    const LayerInfo& layer = backbone_.layers()[id];
    b.source = base_grid(source_, layer, options_.match.hyperpixels);
    b.target = base_grid(target_, layer, options_.match.hyperpixels);
    if (b.empty()) return b;
    b.row = padded_width(b.target.width);
    if (options_.match.rhm.hough_voting) {
      b.hough = hough_tables(b.source, b.target, options_.match.rhm);
      b.bin_x_rows.assign(static_cast<size_t>(b.source.width * b.row), 0);
      for (int64_t xs = 0; xs < b.source.width; ++xs) {
        std::copy_n(b.hough.bin_x.begin() + xs * b.target.width, b.target.width,
                    b.bin_x_rows.begin() + xs * b.row);
      }
    }
    b.kp_rows = covering_rows(pair_, b.source, source_scale());
    return b;
  }

  bool dense(int base, int layer) const {
    return same_size(source_.maps.at(layer), source_.maps.at(base)) &&
           same_size(target_.maps.at(layer), target_.maps.at(base));
  }

  // Bytes of a layer's correlation along x for the target grid of `b`, 0 if it is dense or already computed.
  size_t pending_bytes(const PairBase& b, int base, int layer) const {
    if (dense(base, layer) || correlations_.count(key(b, layer))) return 0;
    const at::Tensor &s = source_.maps.at(layer), &t = target_.maps.at(layer);
    return static_cast<size_t>(s.size(1) * s.size(2) * t.size(1) *
                               correlation_stride(b.target.hp.grid_width)) *
           sizeof(float);
  }

  // Drops correlations of layers not in `keep` while `incoming` more bytes would not fit the budget.
  void make_room(const std::vector<int>& keep, size_t incoming) const {
    size_t used = 0;
    for (const auto& [k, c] : correlations_) used += c.numel() * sizeof(float);
    for (auto it = correlations_.begin();
         it != correlations_.end() && used + incoming > options_.term_budget_bytes;) {
      if (std::find(keep.begin(), keep.end(), std::get<0>(it->first)) != keep.end()) {
        ++it;
        continue;
      }
      used -= it->second.numel() * sizeof(float);
      it = correlations_.erase(it);
    }
  }

  LayerTerm term(PairBase& b, int base, int layer) const {
    LayerTerm t;
    if (dense(base, layer)) {
      t.dense = true;
      t.source_rows = kept_rows(source_.maps.at(layer), b.source);
      t.target_rows = pad_target_rows(kept_rows(target_.maps.at(layer), b.target), b.target.height,
                                      b.target.width, b.row);
      return t;
    }
    t.along_x = along_x(b, layer);
    const at::Tensor &s = source_.maps.at(layer), &r = target_.maps.at(layer);
    const auto source_size = std::make_pair(s.size(1), s.size(2));
    auto taps = b.taps.find(source_size);
    if (taps == b.taps.end())
      taps = b.taps.emplace(source_size, source_taps(b.source, s.size(1), s.size(2))).first;
    t.taps = &taps->second;
    auto ttaps = b.target_taps.find(r.size(1));
    if (ttaps == b.target_taps.end())
      ttaps = b.target_taps.emplace(r.size(1), target_taps(b.target, r.size(1), b.row)).first;
    t.target_taps = &ttaps->second;
    return t;
  }

  at::Tensor source_norms(const PairBase& b, int layer) const {
    return squared_norms(source_, b.source, layer);
  }
  at::Tensor target_norms(const PairBase& b, int layer) const {
    return squared_norms(target_, b.target, layer);
  }

  float source_scale() const { return source_.decode_scale * source_.image.ratio; }
  float target_scale() const { return target_.decode_scale * target_.image.ratio; }
  const StoredImage& source() const { return source_; }
  const StoredImage& target() const { return target_; }
  const ScorerOptions& options() const { return options_; }

 private:
  const Backbone& backbone_;
  const ScorerOptions& options_;
  const PairAnnotation& pair_;
  const StoredImage& source_;
  const StoredImage& target_;

  // The layer and the width of the base grid it is interpolated to.
  using Key = std::tuple<int, int64_t>;
  static Key key(const PairBase& b, int layer) { return {layer, b.target.hp.grid_width}; }

  at::Tensor along_x(const PairBase& b, int layer) const {
    auto found = correlations_.find(key(b, layer));
    if (found == correlations_.end()) {
      found = correlations_
                  .emplace(key(b, layer), correlation_along_x(source_.maps.at(layer), target_.maps.at(layer),
                                                              b.target.hp.grid_width))
                  .first;
    }
    return found->second;
  }

  std::map<int, PairBase> bases_;
  mutable std::map<Key, at::Tensor> correlations_;  // budgeted by make_room
};

// One candidate of a group: the shared set plus `extra` (-1: the shared set itself).
struct Member {
  size_t candidate = 0;
  int extra = -1;
  LayerTerm term;
  at::Tensor inv_source, inv_target;  // reciprocal norms of the candidate's concatenation
  at::Tensor kp_dense;                // dense extra: its dot products of the keypoint rows
};

// Per-thread buffer of the coarse terms: one source row's correlation along x.
struct Scratch {
  std::vector<float> along_x;
};

// The coarse term of source row `row`: its 4 source taps of `along_x` blended in `scratch` at the kept target
// columns, valid until the scratch's next use.
sk::RowTerm coarse_term(const at::Tensor& along_x, const SourceTaps& taps, const sk::TargetTaps& target_taps,
                        int64_t row, Scratch& scratch) {
  const float* g = along_x.data_ptr<float>() + target_taps.first_column;
  const int64_t n = along_x.size(1);
  const float* rows[4];
  for (int k = 0; k < 4; ++k) rows[k] = g + taps.index[4 * row + k] * n;
  scratch.along_x.resize(static_cast<size_t>(target_taps.coarse_h * target_taps.width));
  sk::blend_rows(rows, taps.weight.data() + 4 * row, target_taps.coarse_h, target_taps.correlation_stride,
                 target_taps.width, scratch.along_x.data());
  sk::RowTerm t;
  t.kind = sk::RowTerm::Kind::Coarse;
  t.along_x = scratch.along_x.data();
  t.taps = &target_taps;
  return t;
}

sk::RowTerm row_term(const Member& m, int64_t row, const float* dense_row, Scratch& scratch) {
  sk::RowTerm t;
  if (m.extra < 0) return t;
  if (m.term.dense) {
    t.kind = sk::RowTerm::Kind::Dense;
    t.dense = dense_row;
    return t;
  }
  return coarse_term(m.term.along_x, *m.term.taps, *m.term.target_taps, row, scratch);
}

// Base dot products of `rows` source rows (a_stride apart) with all np target columns, into out (rows x np),
// by column tiles: a tile of the target features (depth x kTile floats) serves all the rows from cache.
void shared_block_dots(const float* a, int64_t a_stride, int64_t rows, int64_t depth, const float* target_t,
                       int64_t np, float* out) {
  constexpr int64_t kTile = 1024;
  for (int64_t j = 0; j < np; j += kTile) {
    const int64_t cols = std::min(kTile, np - j);
    for (int64_t r = 0; r < rows; r += 4) {
      base_dots::rows_times_target(a + r * a_stride, a_stride,
                                   static_cast<int>(std::min<int64_t>(4, rows - r)), depth, target_t + j,
                                   cols, out + r * np + j, np, np);
    }
  }
}

// The coarse layers of the shared set with the same map sizes, their correlations summed: one term per size.
struct SharedCoarse {
  at::Tensor along_x;
  const SourceTaps* taps = nullptr;
  const sk::TargetTaps* target_taps = nullptr;
};

// Scores the members of one chunk (all extending `shared`, base `base`): the best target of every
// keypoint-covering source row, per member, as an (N_s,) index tensor (0 for rows nobody reads). In four
// steps: the terms the members share, each member's own term and norms, the Hough votes of every source row
// (source columns in parallel), and the argmax of the keypoint rows over the smoothed votes (members in
// parallel).
class ChunkScoring {
 public:
  ChunkScoring(PairState& state, PairBase& b, int base, std::vector<Member>& members)
      : state_(state),
        b_(b),
        base_(base),
        members_(members),
        rhm_(state.options().match.rhm),
        exponent_(static_cast<float>(rhm_.exponent)),
        voting_(rhm_.hough_voting),
        ns_(b.source.size()),
        ws_(b.source.width),
        hs_(b.source.height),
        wt_(b.target.width),
        ht_(b.target.height),
        wp_(b.row),
        np_(ht_ * b.row),
        bins_x_(b.hough.bins_x),
        bins_(b.hough.bins_x * b.hough.bins_y),
        count_(static_cast<int64_t>(members.size())),
        tasks_(std::min(kTasks, ws_)) {}

  std::vector<at::Tensor> run(const LayerSet& shared) {
    gather_shared_terms(shared);
    prepare_members();
    prepare_keypoint_rows();
    vote();
    return argmax_keypoint_rows();
  }

 private:
  // Shared terms: dense layers as one product of concatenated rows, coarse ones summed per map size.
  void gather_shared_terms(const LayerSet& shared) {
    std::vector<at::Tensor> dense_source, dense_target;
    std::map<std::tuple<int64_t, int64_t, int64_t, int64_t>, SharedCoarse> coarse_by_size;
    for (int layer : shared) {
      LayerTerm t = state_.term(b_, base_, layer);
      if (t.dense) {
        dense_source.push_back(t.source_rows);
        dense_target.push_back(t.target_rows);
      } else {
        const at::Tensor &s = state_.source().maps.at(layer), &r = state_.target().maps.at(layer);
        SharedCoarse& c = coarse_by_size[{s.size(1), s.size(2), r.size(1), r.size(2)}];
        c.along_x = c.along_x.defined() ? c.along_x + t.along_x : t.along_x;
        c.taps = t.taps;
        c.target_taps = t.target_taps;
      }
      const at::Tensor s = state_.source_norms(b_, layer), r = state_.target_norms(b_, layer);
      source_sq_ = source_sq_.defined() ? source_sq_ + s : s;
      target_sq_ = target_sq_.defined() ? target_sq_ + r : r;
    }
    shared_source_ = at::cat(dense_source, 1).contiguous();
    shared_target_t_ = at::cat(dense_target, 1).t().contiguous();
    depth_ = shared_source_.size(1);
    // Narrow shared rows (MobileNetV2's 16-32 channels) get their dot products a block of source rows at a
    // time right before they are used; wide ones from one BLAS product per source column.
    fused_dots_ = depth_ <= base_dots::kMaxFusedDepth;
    for (auto& [size, c] : coarse_by_size)
      shared_coarse_.push_back({c.along_x.contiguous(), c.taps, c.target_taps});
  }

  // Each member's extra layer term and the reciprocal norms of its whole set.
  void prepare_members() {
    for (Member& m : members_) {
      at::Tensor s = source_sq_, r = target_sq_;
      if (m.extra >= 0) {
        m.term = state_.term(b_, base_, m.extra);
        s = s + state_.source_norms(b_, m.extra);
        r = r + state_.target_norms(b_, m.extra);
      }
      m.inv_source = s.sqrt().reciprocal().contiguous();
      m.inv_target = pad_target_rows(r.sqrt().reciprocal(), ht_, wt_, wp_).contiguous();
    }
  }

  // Keypoint rows: their shared and dense-extra dot products are kept for the argmax after smoothing.
  void prepare_keypoint_rows() {
    kp_ = static_cast<int64_t>(b_.kp_rows.size());
    slot_.assign(ns_, -1);
    column_has_kp_.assign(ws_, false);
    for (int64_t k = 0; k < kp_; ++k) {
      slot_[b_.kp_rows[k]] = k;
      column_has_kp_[b_.kp_rows[k] % ws_] = true;
    }
    kp_shared_ = at::empty({kp_, np_}, at::TensorOptions().dtype(at::kFloat));
    for (Member& m : members_) {
      if (m.extra >= 0 && m.term.dense)
        m.kp_dense = at::empty({kp_, np_}, at::TensorOptions().dtype(at::kFloat));
    }
  }

  // Source columns are the outer loop (a column accumulator per member collects the votes of all its rows);
  // every member votes a source row right after the row's shared dot products are finished, while they are in
  // cache. Each task's histograms go to `partial_`.
  void vote() {
    // The y bins a source column's votes reach (every column has every source row): the accumulator rows to
    // flush.
    if (voting_) {
      const auto [lo, hi] = std::minmax_element(b_.hough.bin_y.begin(), b_.hough.bin_y.end());
      first_bin_ = *lo;
      last_bin_ = *hi;
    }
    acc_size_ = voting_ ? b_.hough.bins_y * wp_ : 0;
    partial_.assign(voting_ ? static_cast<size_t>(tasks_ * count_ * bins_) : 0, 0.0f);
    at::parallel_for(0, tasks_, 1, [&](int64_t task_begin, int64_t task_end) {
      c10::InferenceMode inference;
      Scratch scratch;
      std::vector<float> acc(static_cast<size_t>(count_ * acc_size_), 0.0f);
      std::vector<float> block(fused_dots_ ? static_cast<size_t>(kBlockRows * np_) : 0);
      for (int64_t task = task_begin; task < task_end; ++task) {
        for (int64_t xs = task * ws_ / tasks_; xs < (task + 1) * ws_ / tasks_; ++xs) {
          if (!voting_ && !column_has_kp_[xs]) continue;
          vote_column(task, xs, scratch, acc, block);
        }
      }
    });
  }

  void vote_column(int64_t task, int64_t xs, Scratch& scratch, std::vector<float>& acc,
                   std::vector<float>& block) {
    const float* source = shared_source_.data_ptr<float>();
    const float* target_t = shared_target_t_.data_ptr<float>();
    const at::Tensor rows = at::arange(xs, ns_, ws_, at::TensorOptions().dtype(at::kLong));
    at::Tensor column_dots;
    if (!fused_dots_) column_dots = shared_source_.index_select(0, rows).mm(shared_target_t_).contiguous();
    std::vector<at::Tensor> dense(count_);
    for (int64_t m = 0; m < count_; ++m) {
      const Member& member = members_[m];
      if (member.extra >= 0 && member.term.dense) {
        dense[m] = member.term.source_rows.index_select(0, rows).mm(member.term.target_rows.t()).contiguous();
      }
    }
    for (int64_t y0 = 0; y0 < hs_; y0 += kBlockRows) {
      const int64_t n = std::min(kBlockRows, hs_ - y0);
      float* shared_rows[kBlockRows];
      for (int64_t r = 0; r < n; ++r) {
        const int64_t y = y0 + r, i = y * ws_ + xs;
        if (fused_dots_) {
          if (r == 0)
            shared_block_dots(source + i * depth_, ws_ * depth_, n, depth_, target_t, np_, block.data());
          shared_rows[r] = block.data() + r * np_;
        } else {
          shared_rows[r] = column_dots.data_ptr<float>() + y * np_;
        }
        for (const SharedCoarse& c : shared_coarse_) {
          sk::add_term(coarse_term(c.along_x, *c.taps, *c.target_taps, i, scratch), ht_, wp_, shared_rows[r]);
        }
        const int64_t k = slot_[i];
        if (k < 0) continue;
        std::copy_n(shared_rows[r], np_, kp_shared_.data_ptr<float>() + k * np_);
        for (int64_t m = 0; m < count_; ++m) {
          if (dense[m].defined())
            std::copy_n(dense[m].data_ptr<float>() + y * np_, np_,
                        members_[m].kp_dense.data_ptr<float>() + k * np_);
        }
      }
      if (!voting_) continue;
      // Member by member over the block: its reciprocal norms and accumulator stay in cache for all the
      // block's rows, and the block's shared rows for all members.
      for (int64_t m = 0; m < count_; ++m) {
        const Member& member = members_[m];
        const float* inv_source = member.inv_source.data_ptr<float>();
        const float* inv_target = member.inv_target.data_ptr<float>();
        const float* dense_rows = dense[m].defined() ? dense[m].data_ptr<float>() : nullptr;
        for (int64_t r = 0; r < n; ++r) {
          const int64_t y = y0 + r, i = y * ws_ + xs;
          sk::vote_row(shared_rows[r],
                       row_term(member, i, dense_rows ? dense_rows + y * np_ : nullptr, scratch),
                       inv_source[i], inv_target, exponent_, b_.hough.bin_y.data() + y * ht_, ht_, wp_,
                       acc.data() + m * acc_size_);
        }
      }
    }
    if (!voting_) return;
    for (int64_t m = 0; m < count_; ++m) {
      hough_kernel::flush_accumulator(acc.data() + m * acc_size_, first_bin_, last_bin_, wp_,
                                      b_.bin_x_rows.data() + xs * wp_, bins_x_,
                                      partial_.data() + (task * count_ + m) * bins_);
    }
  }

  // The keypoint rows again, then their argmax over the smoothed votes, members in parallel. Rows are
  // compacted to the kept width first: the argmax and torch.max index the kept target positions.
  std::vector<at::Tensor> argmax_keypoint_rows() {
    std::vector<at::Tensor> best(count_);
    const at::Tensor kernel =
        voting_ ? gaussian_kernel(rhm_.kernel_size).view({1, 1, rhm_.kernel_size, -1}) : at::Tensor();
    at::parallel_for(0, count_, 1, [&](int64_t member_begin, int64_t member_end) {
      c10::InferenceMode inference;
      std::vector<float> padded(static_cast<size_t>(np_));
      Scratch scratch;
      const at::Tensor rows = at::empty({kp_, ht_ * wt_}, at::TensorOptions().dtype(at::kFloat));
      for (int64_t m = member_begin; m < member_end; ++m) {
        best[m] = at::zeros({ns_}, at::TensorOptions().dtype(at::kLong));
        keypoint_similarities(members_[m], padded, scratch, rows);
        if (voting_) {
          argmax_with_votes(m, kernel, rows, best[m].data_ptr<int64_t>());
        } else if (kp_ > 0) {
          // Without voting the confidence is the similarity itself; torch.max picks the best, as the matcher
          // does.
          const at::Tensor index = std::get<1>(at::max(rows, 1)).contiguous();
          for (int64_t k = 0; k < kp_; ++k)
            best[m].data_ptr<int64_t>()[b_.kp_rows[k]] = index.data_ptr<int64_t>()[k];
        }
      }
    });
    return best;
  }

  // The finished similarity rows of the keypoint rows for one member, compacted to (kp, ht * wt).
  void keypoint_similarities(const Member& member, std::vector<float>& padded, Scratch& scratch,
                             const at::Tensor& rows) const {
    for (int64_t k = 0; k < kp_; ++k) {
      const int64_t i = b_.kp_rows[k];
      const float* dense_row =
          member.kp_dense.defined() ? member.kp_dense.data_ptr<float>() + k * np_ : nullptr;
      sk::similarity_row(kp_shared_.data_ptr<float>() + k * np_, row_term(member, i, dense_row, scratch),
                         member.inv_source.data_ptr<float>()[i], member.inv_target.data_ptr<float>(),
                         exponent_, ht_, wp_, padded.data());
      float* compact = rows.data_ptr<float>() + k * ht_ * wt_;
      for (int64_t t = 0; t < ht_; ++t) std::copy_n(padded.data() + t * wp_, wt_, compact + t * wt_);
    }
  }

  // Member m's histogram (its tasks' partial histograms summed), smoothed, and each keypoint row's argmax.
  void argmax_with_votes(int64_t m, const at::Tensor& kernel, const at::Tensor& rows, int64_t* out) const {
    at::Tensor histogram = at::zeros({b_.hough.bins_y, bins_x_}, at::TensorOptions().dtype(at::kFloat));
    float* h = histogram.data_ptr<float>();
    for (int64_t task = 0; task < tasks_; ++task) {
      const float* p = partial_.data() + (task * count_ + m) * bins_;
      for (int64_t k = 0; k < bins_; ++k) h[k] += p[k];
    }
    const at::Tensor hough =
        at::conv2d(histogram.view({1, 1, b_.hough.bins_y, bins_x_}), kernel, {}, 1, rhm_.kernel_size / 2)
            .contiguous();
    for (int64_t k = 0; k < kp_; ++k) {
      const int64_t i = b_.kp_rows[k], y = i / ws_, x = i % ws_;
      out[i] = hough_kernel::argmax_confidence(
          rows.data_ptr<float>() + k * ht_ * wt_, b_.hough.bin_y.data() + y * ht_, ht_, wt_,
          b_.hough.bin_x.data() + x * wt_, bins_x_, hough.data_ptr<float>());
    }
  }

  PairState& state_;
  PairBase& b_;
  const int base_;
  std::vector<Member>& members_;
  const RhmOptions& rhm_;
  const float exponent_;
  const bool voting_;
  const int64_t ns_, ws_, hs_, wt_, ht_, wp_, np_;  // target rows padded to wp_ (see padded_width)
  const int64_t bins_x_, bins_, count_, tasks_;
  // Shared terms.
  at::Tensor source_sq_, target_sq_, shared_source_, shared_target_t_;
  int64_t depth_ = 0;
  bool fused_dots_ = false;
  std::vector<SharedCoarse> shared_coarse_;
  // Keypoint rows.
  int64_t kp_ = 0;
  std::vector<int64_t> slot_;
  std::vector<bool> column_has_kp_;
  at::Tensor kp_shared_;
  // Votes.
  int32_t first_bin_ = 0, last_bin_ = -1;
  int64_t acc_size_ = 0;
  std::vector<float> partial_;
};

std::vector<at::Tensor> best_targets(PairState& state, PairBase& b, int base, const LayerSet& shared,
                                     std::vector<Member>& members) {
  return ChunkScoring(state, b, base, members).run(shared);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

CandidateScorer::CandidateScorer(const Dataset& dataset, const Backbone& backbone, ImageStore& store,
                                 ScorerOptions options)
    : dataset_(dataset), backbone_(backbone), store_(store), options_(std::move(options)) {
  if (dataset_.annotation_kind() != AnnotationKind::Keypoints) {
    throw std::invalid_argument("the layer search scores PCK and needs a keypoint dataset; " +
                                dataset_.name() + " is evaluated by mask agreement");
  }
}

PairScore CandidateScorer::score_pair(const PairAnnotation& pair, const std::vector<Candidate>& candidates) {
  const auto started = std::chrono::steady_clock::now();
  c10::InferenceMode inference;
  for (const Candidate& c : candidates) {
    backbone_.checked_ids(c.layers);
    if (c.shared.empty() || (c.extra >= 0 && c.extra <= c.shared.front())) {
      throw std::invalid_argument("layer search: candidate " + format_layers(c.layers) +
                                  " must extend a non-empty set by a larger id than its base");
    }
  }
  if (options_.match.method != "hpf") return score_pair_by_method(pair, candidates);
  const auto source = store_.get(pair.source_image);
  const auto target = store_.get(pair.target_image);
  PairState state(backbone_, options_, pair, *source, *target);

  PairScore result;
  result.pck.assign(candidates.size(), 0.0);
  result.no_hyperpixels.assign(candidates.size(), false);
  result.seconds.assign(candidates.size(), 0.0);
  const double shared_seconds = seconds_since(started);

  // Candidates extending the same set are scored together, in order of first appearance.
  std::vector<std::pair<LayerSet, std::vector<size_t>>> groups;
  std::map<LayerSet, size_t> group_of;
  for (size_t i = 0; i < candidates.size(); ++i) {
    auto [it, added] = group_of.emplace(candidates[i].shared, groups.size());
    if (added) groups.push_back({candidates[i].shared, {}});
    groups[it->second].second.push_back(i);
  }

  for (const auto& [shared, indices] : groups) {
    const int base = shared.front();
    PairBase& b = state.base(base);
    if (b.empty()) {
      for (size_t i : indices) result.no_hyperpixels[i] = true;
      continue;
    }
    // Chunks of members whose coarse correlations fit the budget together with the shared set's.
    size_t shared_bytes = 0;
    for (int layer : shared) shared_bytes += state.pending_bytes(b, base, layer);
    size_t next = 0;
    while (next < indices.size()) {
      const auto chunk_started = std::chrono::steady_clock::now();
      std::vector<Member> members;
      std::vector<int> keep(shared.begin(), shared.end());
      size_t bytes = shared_bytes;
      while (next < indices.size()) {
        const Candidate& c = candidates[indices[next]];
        const size_t extra_bytes = c.extra >= 0 ? state.pending_bytes(b, base, c.extra) : 0;
        if (!members.empty() && bytes + extra_bytes > options_.term_budget_bytes) break;
        bytes += extra_bytes;
        if (c.extra >= 0) keep.push_back(c.extra);
        members.push_back(Member{indices[next], c.extra, {}, {}, {}, {}});
        ++next;
      }
      state.make_room(keep, bytes);
      const std::vector<at::Tensor> best = best_targets(state, b, base, shared, members);
      result.similarities +=
          static_cast<double>(members.size()) * static_cast<double>(b.source.size() * b.target.size());
      for (size_t m = 0; m < members.size(); ++m) {
        MatchedPair matched;
        matched.source.image = state.source().image;
        matched.source.hyperpixels = b.source.hp;
        matched.target.image = state.target().image;
        matched.target.hyperpixels = b.target.hp;
        matched.match.best.target_index = best[m];
        matched.source_scale = state.source_scale();
        matched.target_scale = state.target_scale();
        PairRecord record;
        hpf::score_pair(matched, pair, AnnotationKind::Keypoints, options_.threshold, {options_.alpha},
                        record);
        result.pck[members[m].candidate] = record.pck.at(options_.alpha);
      }
      const double share = seconds_since(chunk_started) / static_cast<double>(members.size());
      for (const Member& m : members) result.seconds[m.candidate] += share;
    }
  }
  for (double& s : result.seconds) s += shared_seconds / static_cast<double>(candidates.size());
  return result;
}

// Each candidate's hyperpixels are assembled from the stored maps and matched by the method itself, exactly
// as the evaluation does (same functions, same order): no shared terms, so each candidate costs one match.
PairScore CandidateScorer::score_pair_by_method(const PairAnnotation& pair,
                                                const std::vector<Candidate>& candidates) {
  const auto source = store_.get(pair.source_image);
  const auto target = store_.get(pair.target_image);
  PairScore result;
  result.pck.assign(candidates.size(), 0.0);
  result.no_hyperpixels.assign(candidates.size(), false);
  result.seconds.assign(candidates.size(), 0.0);
  const auto hyperpixels = [&](const StoredImage& image, const LayerSet& layers) {
    std::vector<at::Tensor> maps;
    std::vector<LayerInfo> infos;
    for (int id : layers) {
      maps.push_back(image.maps.at(id).unsqueeze(0));
      infos.push_back(backbone_.layers()[id]);
    }
    return method_hyperpixels(maps, infos, image.image.width(), image.image.height(), options_.match,
                              image.class_activation);
  };
  for (size_t c = 0; c < candidates.size(); ++c) {
    const auto started = std::chrono::steady_clock::now();
    MatchedPair matched;
    matched.source.image = source->image;
    matched.source.hyperpixels = hyperpixels(*source, candidates[c].layers);
    matched.target.image = target->image;
    matched.target.hyperpixels = hyperpixels(*target, candidates[c].layers);
    if (matched.source.hyperpixels.size() == 0 || matched.target.hyperpixels.size() == 0) {
      result.no_hyperpixels[c] = true;
      continue;
    }
    MatchOptions options = options_.match;
    options.layers = candidates[c].layers;
    matched.match =
        make_matching_method(options)->match(matched.source.hyperpixels, matched.target.hyperpixels, nullptr);
    matched.source_scale = source->decode_scale * source->image.ratio;
    matched.target_scale = target->decode_scale * target->image.ratio;
    PairRecord record;
    hpf::score_pair(matched, pair, AnnotationKind::Keypoints, options_.threshold, {options_.alpha}, record);
    result.pck[c] = record.pck.at(options_.alpha);
    result.similarities += static_cast<double>(matched.source.hyperpixels.size()) *
                           static_cast<double>(matched.target.hyperpixels.size());
    result.seconds[c] = seconds_since(started);
  }
  return result;
}

}  // namespace hpf
