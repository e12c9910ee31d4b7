#include "core/search/candidate_scorer.h"
#include "core/compute/bilinear_tap.h"
#include "core/compute/hough_kernels.h"

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
#include <tuple>

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

// A coarse layer's correlation with the target side interpolated to the whole target base grid:
// (h_s * w_s, grid_h * grid_w), the source side still at native resolution; a source row of the full
// similarity is 4 taps of its rows. Interpolation is linear, so interpolating the target features first and
// multiplying after gives the Gram matrix interpolated along the target axes, with C channels to interpolate
// instead of h_s * w_s. It depends on the base layer only through the grid size, so bases of the same jump
// share it.
at::Tensor grid_correlation(const at::Tensor& source_map, const at::Tensor& target_map, int64_t grid_h,
                            int64_t grid_w) {
  const int64_t c = source_map.size(0);
  const at::Tensor up =
      at::upsample_bilinear2d(target_map.unsqueeze(0), {grid_h, grid_w}, /*align_corners=*/true);
  return at::mm(source_map.reshape({c, -1}).t(), up.reshape({c, -1}));
}

// Hough bins of the pair, split by axis: bin(i, j) = bin_y[row_i * H_t + row_j] * bins_x + bin_x[col_i * W_t
// + col_j]. The look-up tables are built exactly as the matcher builds them (rhm.cpp), so the bins are the
// same integers.
struct HoughTables {
  int64_t bins_x = 0, bins_y = 0;
  std::vector<int32_t> bin_x, bin_y;
  std::vector<int32_t> y_first, y_last;  // per source row: the range of y bins its votes reach
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
  std::map<std::pair<int64_t, int64_t>, SourceTaps> taps;  // coarse map size -> taps
  bool empty() const { return source.size() == 0 || target.size() == 0; }
};

// A layer's contribution to a set's dot products.
struct LayerTerm {
  bool dense = false;                   // at the base resolution: a product of kept rows
  at::Tensor source_rows, target_rows;  // dense: (N_s, C), (N_t, C)
  at::Tensor coarse;                    // otherwise: grid correlation (h_s * w_s, grid_h * grid_w)
  const SourceTaps* taps = nullptr;
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
    if (options_.match.rhm.hough_voting) b.hough = hough_tables(b.source, b.target, options_.match.rhm);
    b.kp_rows = covering_rows(pair_, b.source, source_scale());
    return b;
  }

  bool dense(int base, int layer) const {
    return same_size(source_.maps.at(layer), source_.maps.at(base)) &&
           same_size(target_.maps.at(layer), target_.maps.at(base));
  }

  // Bytes of a layer's grid correlation for this base's target grid, 0 if it is dense or already computed.
  size_t pending_bytes(const PairBase& b, int base, int layer) const {
    if (dense(base, layer) || grid_terms_.count(grid_key(b, layer))) return 0;
    const at::Tensor& m = source_.maps.at(layer);
    return static_cast<size_t>(m.size(1) * m.size(2) * b.target.hp.grid_height * b.target.hp.grid_width) *
           sizeof(float);
  }

  // Drops grid correlations not in `keep` while `incoming` more bytes would not fit the budget.
  void make_room(const PairBase& b, const std::vector<int>& keep, size_t incoming) const {
    size_t used = 0;
    for (const auto& [key, c] : grid_terms_) used += c.numel() * sizeof(float);
    for (auto it = grid_terms_.begin();
         it != grid_terms_.end() && used + incoming > options_.term_budget_bytes;) {
      const bool needed = std::get<1>(it->first) == b.target.hp.grid_height &&
                          std::get<2>(it->first) == b.target.hp.grid_width &&
                          std::find(keep.begin(), keep.end(), std::get<0>(it->first)) != keep.end();
      if (needed) {
        ++it;
        continue;
      }
      used -= it->second.numel() * sizeof(float);
      it = grid_terms_.erase(it);
    }
  }

  LayerTerm term(PairBase& b, int base, int layer) const {
    LayerTerm t;
    if (dense(base, layer)) {
      t.dense = true;
      t.source_rows = kept_rows(source_.maps.at(layer), b.source);
      t.target_rows = kept_rows(target_.maps.at(layer), b.target);
      return t;
    }
    t.coarse = grid_term(b, layer);
    const at::Tensor& m = source_.maps.at(layer);
    const auto size = std::make_pair(m.size(1), m.size(2));
    auto taps = b.taps.find(size);
    if (taps == b.taps.end())
      taps = b.taps.emplace(size, source_taps(b.source, size.first, size.second)).first;
    t.taps = &taps->second;
    return t;
  }

  at::Tensor source_norms(const PairBase& b, int base, int layer) const {
    return squared_norms(source_, b.source, base, layer);
  }
  at::Tensor target_norms(const PairBase& b, int base, int layer) const {
    return squared_norms(target_, b.target, base, layer);
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
  using GridKey = std::tuple<int, int64_t, int64_t>;  // layer, target grid height and width
  static GridKey grid_key(const PairBase& b, int layer) {
    return {layer, b.target.hp.grid_height, b.target.hp.grid_width};
  }

  // The grid correlation of a layer for the target grid of `b`: bases with the same grid (the same jump)
  // share it.
  at::Tensor grid_term(const PairBase& b, int layer) const {
    const GridKey key = grid_key(b, layer);
    auto found = grid_terms_.find(key);
    if (found == grid_terms_.end()) {
      found = grid_terms_
                  .emplace(key, grid_correlation(source_.maps.at(layer), target_.maps.at(layer),
                                                 b.target.hp.grid_height, b.target.hp.grid_width)
                                    .contiguous())
                  .first;
    }
    return found->second;
  }

  std::map<int, PairBase> bases_;
  mutable std::map<GridKey, at::Tensor> grid_terms_;  // budgeted by make_room
};

// One candidate of a group: the shared set plus `extra` (-1: the shared set itself).
struct Member {
  size_t candidate = 0;
  int extra = -1;
  LayerTerm term;
  at::Tensor inv_source, inv_target;  // reciprocal norms of the candidate's concatenation
  at::Tensor kp_dense;                // dense extra: its dot products of the keypoint rows
};

// Points `t` at the 4 grid-correlation rows of source row `row`; their kept target positions are a rectangle
// of the target grid, read in place (row stride: the grid width).
void set_taps(const at::Tensor& grid, const SourceTaps& taps, int64_t row, const BaseGrid& target,
              sk::RowTerm& t) {
  const float* base = grid.data_ptr<float>();
  const int64_t n = grid.size(1);
  for (int k = 0; k < 4; ++k) {
    t.rows[k] = base + taps.index[4 * row + k] * n;
    t.weights[k] = taps.weight[4 * row + k];
  }
  t.tap_stride = target.hp.grid_width;
  t.tap_offset = target.y0 * target.hp.grid_width + target.x0;
}

sk::RowTerm row_term(const Member& m, int64_t row, const BaseGrid& target, const float* dense_row) {
  sk::RowTerm t;
  if (m.extra < 0) return t;
  if (m.term.dense) {
    t.kind = sk::RowTerm::Kind::Dense;
    t.dense = dense_row;
    return t;
  }
  t.kind = sk::RowTerm::Kind::Taps;
  set_taps(m.term.coarse, *m.term.taps, row, target, t);
  return t;
}

// The coarse layers of the shared set with the same map size, summed: one 4-tap term per size.
struct SharedCoarse {
  at::Tensor coarse;
  const SourceTaps* taps = nullptr;
};

// Scores the members of one chunk (all extending `shared`, base `base`): the best target of every
// keypoint-covering source row, per member, as an (N_s,) index tensor (0 for rows nobody reads).
std::vector<at::Tensor> best_targets(PairState& state, PairBase& b, int base, const LayerSet& shared,
                                     std::vector<Member>& members) {
  const RhmOptions& rhm = state.options().match.rhm;
  const float exponent = static_cast<float>(rhm.exponent);
  const bool voting = rhm.hough_voting;
  const int64_t ns = b.source.size(), nt = b.target.size();
  const int64_t ws = b.source.width, hs = b.source.height, wt = b.target.width, ht = b.target.height;
  const int64_t bins_x = b.hough.bins_x, bins = b.hough.bins_x * b.hough.bins_y;
  const int64_t count = static_cast<int64_t>(members.size());

  // Shared terms: dense layers as one product of concatenated rows, coarse ones summed per map size.
  std::vector<at::Tensor> dense_source, dense_target;
  std::map<std::pair<int64_t, int64_t>, SharedCoarse> coarse_by_size;
  at::Tensor source_sq, target_sq;
  for (int layer : shared) {
    LayerTerm t = state.term(b, base, layer);
    if (t.dense) {
      dense_source.push_back(t.source_rows);
      dense_target.push_back(t.target_rows);
    } else {
      const auto& map = state.source().maps.at(layer);
      SharedCoarse& c = coarse_by_size[{map.size(1), map.size(2)}];
      c.coarse = c.coarse.defined() ? c.coarse + t.coarse : t.coarse;
      c.taps = t.taps;
    }
    const at::Tensor s = state.source_norms(b, base, layer), r = state.target_norms(b, base, layer);
    source_sq = source_sq.defined() ? source_sq + s : s;
    target_sq = target_sq.defined() ? target_sq + r : r;
  }
  const at::Tensor shared_source = at::cat(dense_source, 1).contiguous();
  const at::Tensor shared_target_t = at::cat(dense_target, 1).t();
  std::vector<SharedCoarse> shared_coarse;
  for (auto& [size, c] : coarse_by_size) shared_coarse.push_back({c.coarse.contiguous(), c.taps});

  for (Member& m : members) {
    at::Tensor s = source_sq, r = target_sq;
    if (m.extra >= 0) {
      m.term = state.term(b, base, m.extra);
      s = s + state.source_norms(b, base, m.extra);
      r = r + state.target_norms(b, base, m.extra);
    }
    m.inv_source = s.sqrt().reciprocal().contiguous();
    m.inv_target = r.sqrt().reciprocal().contiguous();
  }

  // Keypoint rows: their shared and dense-extra dot products are kept for the argmax after smoothing.
  const int64_t kp = static_cast<int64_t>(b.kp_rows.size());
  std::vector<int64_t> slot(ns, -1);
  std::vector<bool> column_has_kp(ws, false);
  for (int64_t k = 0; k < kp; ++k) {
    slot[b.kp_rows[k]] = k;
    column_has_kp[b.kp_rows[k] % ws] = true;
  }
  const at::Tensor kp_shared = at::empty({kp, nt}, at::TensorOptions().dtype(at::kFloat));
  for (Member& m : members) {
    if (m.extra >= 0 && m.term.dense) m.kp_dense = at::empty({kp, nt}, at::TensorOptions().dtype(at::kFloat));
  }

  // Per source row, the range of y bins its votes reach (the accumulator rows to flush).
  std::vector<int32_t> y_first(hs, 0), y_last(hs, -1);
  if (voting) {
    for (int64_t y = 0; y < hs; ++y) {
      const auto [lo, hi] =
          std::minmax_element(b.hough.bin_y.begin() + y * ht, b.hough.bin_y.begin() + (y + 1) * ht);
      y_first[y] = *lo;
      y_last[y] = *hi;
    }
  }

  const int64_t tasks = std::min(kTasks, ws);
  std::vector<float> partial(voting ? static_cast<size_t>(tasks * count * bins) : 0, 0.0f);
  at::parallel_for(0, tasks, 1, [&](int64_t task_begin, int64_t task_end) {
    c10::InferenceMode inference;
    std::vector<float> acc(voting ? b.hough.bins_y * wt : 0, 0.0f);
    std::vector<int32_t> y_bins(ht);
    for (int64_t task = task_begin; task < task_end; ++task) {
      for (int64_t xs = task * ws / tasks; xs < (task + 1) * ws / tasks; ++xs) {
        if (!voting && !column_has_kp[xs]) continue;
        const at::Tensor rows = at::arange(xs, ns, ws, at::TensorOptions().dtype(at::kLong));
        const at::Tensor d = shared_source.index_select(0, rows).mm(shared_target_t).contiguous();
        float* dp = d.data_ptr<float>();
        for (const SharedCoarse& c : shared_coarse) {
          for (int64_t y = 0; y < hs; ++y) {
            sk::RowTerm t;
            set_taps(c.coarse, *c.taps, y * ws + xs, b.target, t);
            sk::add_taps(t, ht, wt, dp + y * nt);
          }
        }
        std::vector<at::Tensor> dense(count);
        for (int64_t m = 0; m < count; ++m) {
          const Member& member = members[m];
          if (member.extra >= 0 && member.term.dense) {
            dense[m] =
                member.term.source_rows.index_select(0, rows).mm(member.term.target_rows.t()).contiguous();
          }
        }
        for (int64_t y = 0; y < hs; ++y) {
          const int64_t k = slot[y * ws + xs];
          if (k < 0) continue;
          std::copy(dp + y * nt, dp + (y + 1) * nt, kp_shared.data_ptr<float>() + k * nt);
          for (int64_t m = 0; m < count; ++m) {
            if (!dense[m].defined()) continue;
            const float* src = dense[m].data_ptr<float>() + y * nt;
            std::copy(src, src + nt, members[m].kp_dense.data_ptr<float>() + k * nt);
          }
        }
        if (!voting) continue;
        int32_t first = static_cast<int32_t>(b.hough.bins_y), last = -1;
        for (int64_t y = 0; y < hs; ++y) {
          first = std::min(first, y_first[y]);
          last = std::max(last, y_last[y]);
        }
        for (int64_t m = 0; m < count; ++m) {
          const Member& member = members[m];
          const float* dense_ptr = dense[m].defined() ? dense[m].data_ptr<float>() : nullptr;
          for (int64_t y = 0; y < hs; ++y) {
            const int64_t i = y * ws + xs;
            const sk::RowTerm term = row_term(member, i, b.target, dense_ptr ? dense_ptr + y * nt : nullptr);
            sk::vote_row(dp + y * nt, term, member.inv_source.data_ptr<float>()[i],
                         member.inv_target.data_ptr<float>(), exponent, b.hough.bin_y.data() + y * ht, ht, wt,
                         acc.data());
          }
          hough_kernel::flush_accumulator(acc.data(), first, last, wt, b.hough.bin_x.data() + xs * wt, bins_x,
                                          partial.data() + (task * count + m) * bins);
        }
      }
    }
  });

  std::vector<at::Tensor> best(count);
  const at::Tensor kernel =
      voting ? gaussian_kernel(rhm.kernel_size).view({1, 1, rhm.kernel_size, -1}) : at::Tensor();
  std::vector<float> row(nt);
  for (int64_t m = 0; m < count; ++m) {
    const Member& member = members[m];
    best[m] = at::zeros({ns}, at::TensorOptions().dtype(at::kLong));
    int64_t* out = best[m].data_ptr<int64_t>();
    if (voting) {
      at::Tensor histogram = at::zeros({b.hough.bins_y, bins_x}, at::TensorOptions().dtype(at::kFloat));
      float* h = histogram.data_ptr<float>();
      for (int64_t task = 0; task < tasks; ++task) {
        const float* p = partial.data() + (task * count + m) * bins;
        for (int64_t k = 0; k < bins; ++k) h[k] += p[k];
      }
      const at::Tensor hough =
          at::conv2d(histogram.view({1, 1, b.hough.bins_y, bins_x}), kernel, {}, 1, rhm.kernel_size / 2)
              .contiguous();
      for (int64_t k = 0; k < kp; ++k) {
        const int64_t i = b.kp_rows[k], y = i / ws, x = i % ws;
        const float* dense_row =
            member.kp_dense.defined() ? member.kp_dense.data_ptr<float>() + k * nt : nullptr;
        sk::similarity_row(kp_shared.data_ptr<float>() + k * nt, row_term(member, i, b.target, dense_row),
                           member.inv_source.data_ptr<float>()[i], member.inv_target.data_ptr<float>(),
                           exponent, ht, wt, row.data());
        out[i] =
            hough_kernel::argmax_confidence(row.data(), b.hough.bin_y.data() + y * ht, ht, wt,
                                            b.hough.bin_x.data() + x * wt, bins_x, hough.data_ptr<float>());
      }
    } else if (kp > 0) {
      // Without voting the confidence is the similarity itself; torch.max picks the best, as the matcher
      // does.
      at::Tensor rows = at::empty({kp, nt}, at::TensorOptions().dtype(at::kFloat));
      for (int64_t k = 0; k < kp; ++k) {
        const int64_t i = b.kp_rows[k];
        const float* dense_row =
            member.kp_dense.defined() ? member.kp_dense.data_ptr<float>() + k * nt : nullptr;
        sk::similarity_row(kp_shared.data_ptr<float>() + k * nt, row_term(member, i, b.target, dense_row),
                           member.inv_source.data_ptr<float>()[i], member.inv_target.data_ptr<float>(),
                           exponent, ht, wt, rows.data_ptr<float>() + k * nt);
      }
      const at::Tensor index = std::get<1>(at::max(rows, 1)).contiguous();
      for (int64_t k = 0; k < kp; ++k) out[b.kp_rows[k]] = index.data_ptr<int64_t>()[k];
    }
  }
  return best;
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
      state.make_room(b, keep, bytes);
      const std::vector<at::Tensor> best = best_targets(state, b, base, shared, members);
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

}  // namespace hpf
