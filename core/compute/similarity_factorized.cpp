// Factorised appearance similarity.
//
// Bilinear upsampling is linear: a layer upsampled to the base grid is U f with U = A (x) B separable, hence
// <U f_s(p), U f_t(p')> = (M_s G M_t^T)[p, p'] with G = f_s^T f_t the Gram matrix at the layer's own, coarser
// resolution. Layers sharing a jump share a resolution and are correlated together (one G per group); G is
// interpolated along the target axes to the kept target positions once (coarse rows only: cheap), and each
// kept source row is then a 4-tap weighted sum of those rows. Only the layers at the base resolution need the
// full N_s x N_t product. The norms of the concatenation are sums of per-layer norms of the upsampled maps.
// The result equals the reference's similarity up to float rounding, at a fraction of the N_s x N_t x D cost.
//
// On CPU the N_s x N_t output is finished in one pass, row by row: base dot products (for narrow base layers;
// wide ones come from BLAS beforehand), coarse taps, normalisation, clamp and power, and (when asked) the
// Hough votes of the finished row.

#include "core/compute/base_dots.h"
#include "core/compute/bilinear_tap.h"
#include "core/compute/large_buffer.h"
#include "core/compute/rhm.h"
#include "core/compute/rhm_cpu.h"
#include "core/compute/simd.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

namespace hpf {
namespace {

// Channel-concatenation of one image's maps, grouped by jump: layers with the same jump share a resolution,
// and grouping by jump (not by size) pairs the same layers in both images whatever their sizes.
std::map<int64_t, at::Tensor> group_by_jump(const Hyperpixels& hp) {
  std::map<int64_t, std::vector<at::Tensor>> parts;
  for (size_t i = 0; i < hp.layer_maps.size(); ++i) parts[hp.layers[i].jump].push_back(hp.layer_maps[i]);
  std::map<int64_t, at::Tensor> groups;
  for (auto& [jump, maps] : parts) groups[jump] = maps.size() == 1 ? maps.front() : at::cat(maps, 0);
  return groups;
}

// Squared norms, at the kept base positions, of the group's maps upsampled to the base grid
// (align_corners=true), one slice of channels at a time so the upsampled features never exist whole.
at::Tensor upsampled_squared_norms(const at::Tensor& group, const Hyperpixels& hp) {
  at::Tensor total = at::zeros({hp.grid_height * hp.grid_width}, group.options());
  constexpr int64_t kChannelsPerSlice = 256;
  for (int64_t c = 0; c < group.size(0); c += kChannelsPerSlice) {
    at::Tensor slice = group.slice(0, c, c + kChannelsPerSlice).unsqueeze(0);
    if (slice.size(2) != hp.grid_height || slice.size(3) != hp.grid_width) {
      slice = at::upsample_bilinear2d(slice, {hp.grid_height, hp.grid_width}, /*align_corners=*/true);
    }
    total += slice.squeeze(0).pow(2).sum(0).view(-1);
  }
  return total.index_select(0, hp.grid_index.to(total.device()));
}

// For every kept base position of `hp`, the 4 coarse positions (row-major in an h x w map) it interpolates
// and their weights: (N, 4) int64 and (N, 4) float32, on CPU.
std::pair<at::Tensor, at::Tensor> bilinear_taps(const Hyperpixels& hp, int64_t h, int64_t w) {
  const at::Tensor kept = hp.grid_index.to(at::kCPU).contiguous();
  const int64_t n = kept.size(0);
  at::Tensor index = at::empty({n, 4}, at::TensorOptions().dtype(at::kLong));
  at::Tensor weight = at::empty({n, 4}, at::TensorOptions().dtype(at::kFloat));
  auto idx = index.accessor<int64_t, 2>();
  auto wgt = weight.accessor<float, 2>();
  const int64_t* k = kept.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const BilinearTap ty = bilinear_tap(k[i] / hp.grid_width, h, hp.grid_height);
    const BilinearTap tx = bilinear_tap(k[i] % hp.grid_width, w, hp.grid_width);
    idx[i][0] = ty.low * w + tx.low;
    idx[i][1] = ty.low * w + tx.high;
    idx[i][2] = ty.high * w + tx.low;
    idx[i][3] = ty.high * w + tx.high;
    wgt[i][0] = (1 - ty.high_weight) * (1 - tx.high_weight);
    wgt[i][1] = (1 - ty.high_weight) * tx.high_weight;
    wgt[i][2] = ty.high_weight * (1 - tx.high_weight);
    wgt[i][3] = ty.high_weight * tx.high_weight;
  }
  return {index, weight};
}

// The kept positions of `hp` as a rectangle of its base grid (the margin rule is separable), or nullopt.
struct KeptRectangle {
  int64_t x0, y0, width, height;
};
std::optional<KeptRectangle> kept_rectangle(const Hyperpixels& hp) {
  const at::Tensor kept = hp.grid_index.to(at::kCPU).contiguous();
  const int64_t n = kept.size(0);
  if (n == 0) return std::nullopt;
  const int64_t* k = kept.data_ptr<int64_t>();
  const int64_t gw = hp.grid_width;
  const KeptRectangle r{k[0] % gw, k[0] / gw, k[n - 1] % gw - k[0] % gw + 1, k[n - 1] / gw - k[0] / gw + 1};
  if (r.width <= 0 || r.height <= 0 || r.width * r.height != n) return std::nullopt;
  for (int64_t i = 0; i < n; ++i) {
    if (k[i] != (r.y0 + i / r.width) * gw + r.x0 + i % r.width) return std::nullopt;
  }
  return r;
}

// The Gram rows (q, h x w coarse target positions) interpolated to the kept target positions of `target`,
// separably: along x into an (h, kept width) buffer, then along y, contiguous rows. Same arithmetic as ATen's
// upsampling, x first: wy0 * (wx0 * g00 + wx1 * g01) + wy1 * (wx0 * g10 + wx1 * g11).
at::Tensor interpolate_columns_separable(const at::Tensor& gram, const Hyperpixels& target, int64_t h,
                                         int64_t w, const KeptRectangle& kept) {
  std::vector<BilinearTap> tx(static_cast<size_t>(kept.width)), ty(static_cast<size_t>(kept.height));
  for (int64_t x = 0; x < kept.width; ++x) tx[x] = bilinear_tap(kept.x0 + x, w, target.grid_width);
  for (int64_t y = 0; y < kept.height; ++y) ty[y] = bilinear_tap(kept.y0 + y, h, target.grid_height);
  const at::Tensor g = gram.contiguous();
  const int64_t rows = g.size(0), cols = kept.width * kept.height;
  at::Tensor out = at::empty({rows, cols}, g.options());
  const float* in = g.data_ptr<float>();
  float* o = out.data_ptr<float>();
  at::parallel_for(0, rows, 8, [&](int64_t begin, int64_t end) {
    std::vector<float> along_x(static_cast<size_t>(h * kept.width));
    for (int64_t q = begin; q < end; ++q) {
      for (int64_t cy = 0; cy < h; ++cy) {
        const float* r = in + q * h * w + cy * w;
        float* a = along_x.data() + cy * kept.width;
        for (int64_t x = 0; x < kept.width; ++x) {
          const BilinearTap& t = tx[x];
          a[x] = (1 - t.high_weight) * r[t.low] + t.high_weight * r[t.high];
        }
      }
      for (int64_t y = 0; y < kept.height; ++y) {
        const float w0 = 1 - ty[y].high_weight, w1 = ty[y].high_weight;
        const float* low = along_x.data() + ty[y].low * kept.width;
        const float* high = along_x.data() + ty[y].high * kept.width;
        float* dst = o + q * cols + y * kept.width;
        for (int64_t x = 0; x < kept.width; ++x) dst[x] = w0 * low[x] + w1 * high[x];
      }
    }
  });
  return out;
}

// out[q, j] = sum_k weight[j, k] * gram[q, index[j, k]]: the Gram rows interpolated to the kept target
// positions (GPU, and kept positions that are not a rectangle).
at::Tensor interpolate_columns(const at::Tensor& gram, const at::Tensor& index, const at::Tensor& weight) {
  if (!gram.device().is_cpu()) {
    const at::Tensor i = index.to(gram.device()), w = weight.to(gram.device());
    at::Tensor out = at::zeros({gram.size(0), index.size(0)}, gram.options());
    for (int k = 0; k < 4; ++k) out.add_(gram.index_select(1, i.select(1, k)) * w.select(1, k).unsqueeze(0));
    return out;
  }
  const at::Tensor g = gram.contiguous();
  const int64_t rows = g.size(0), in_cols = g.size(1), cols = index.size(0);
  at::Tensor out = at::empty({rows, cols}, g.options());
  const float* in = g.data_ptr<float>();
  float* o = out.data_ptr<float>();
  const int64_t* idx = index.data_ptr<int64_t>();
  const float* w = weight.data_ptr<float>();
  at::parallel_for(0, rows, 8, [&](int64_t begin, int64_t end) {
    for (int64_t q = begin; q < end; ++q) {
      const float* r = in + q * in_cols;
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t* t = idx + 4 * j;
        const float* v = w + 4 * j;
        o[q * cols + j] = v[0] * r[t[0]] + v[1] * r[t[1]] + v[2] * r[t[2]] + v[3] * r[t[3]];
      }
    }
  });
  return out;
}

at::Tensor kept_rows(const at::Tensor& map, const Hyperpixels& hp) {
  return map.reshape({map.size(0), -1}).t().index_select(0, hp.grid_index.to(map.device()));
}

// A coarse layer group, ready to be interpolated along the source axes: each kept source row i is
// sum_k weight[i, k] * rows[index[i, k], :].
struct CoarseTerm {
  at::Tensor rows;    // (coarse source positions, N_t), contiguous
  at::Tensor index;   // (N_s, 4) int64, CPU
  at::Tensor weight;  // (N_s, 4) float32, CPU
};

// What the similarity is assembled from.
struct Factors {
  at::Tensor base_source;  // (N_s, D_base) kept base rows
  at::Tensor base_target;  // (N_t, D_base)
  std::vector<CoarseTerm> terms;
  at::Tensor source_norm, target_norm;  // norms of the full concatenation, (N_s,), (N_t,)
};

Factors factorize(const Hyperpixels& source, const Hyperpixels& target) {
  const auto src_groups = group_by_jump(source);
  const auto trg_groups = group_by_jump(target);
  if (src_groups.size() != trg_groups.size())
    throw std::logic_error("factorized_similarity: layer sets differ");
  Factors f;
  at::Tensor src_sq, trg_sq;
  const std::optional<KeptRectangle> target_rectangle = kept_rectangle(target);
  for (auto s = src_groups.begin(), t = trg_groups.begin(); s != src_groups.end(); ++s, ++t) {
    const at::Tensor& fs = s->second;
    const at::Tensor& ft = t->second;
    if (s == src_groups.begin()) {  // the base resolution (smallest jump)
      f.base_source = kept_rows(fs, source).contiguous();
      f.base_target = kept_rows(ft, target).contiguous();
      src_sq = f.base_source.pow(2).sum(1);
      trg_sq = f.base_target.pow(2).sum(1);
      continue;
    }
    const at::Tensor gram = at::matmul(fs.reshape({fs.size(0), -1}).t(), ft.reshape({ft.size(0), -1}));
    CoarseTerm term;
    if (target_rectangle && gram.device().is_cpu()) {
      term.rows = interpolate_columns_separable(gram, target, ft.size(1), ft.size(2), *target_rectangle);
    } else {
      const auto [target_index, target_weight] = bilinear_taps(target, ft.size(1), ft.size(2));
      term.rows = interpolate_columns(gram, target_index, target_weight);
    }
    std::tie(term.index, term.weight) = bilinear_taps(source, fs.size(1), fs.size(2));
    f.terms.push_back(std::move(term));
    src_sq += upsampled_squared_norms(fs, source);
    trg_sq += upsampled_squared_norms(ft, target);
  }
  f.source_norm = src_sq.sqrt();
  f.target_norm = trg_sq.sqrt();
  return f;
}

struct RowKernelArgs {
  const std::vector<CoarseTerm>* terms;
  const float* inv_source_norm;
  const float* inv_target_norm;
  float exponent;
  int64_t cols;
};

HPF_SIMD_CLONES
void similarity_row(const RowKernelArgs& a, int64_t i, float* o) {
  const int64_t cols = a.cols;
  for (const CoarseTerm& term : *a.terms) {
    const float* in = term.rows.data_ptr<float>();
    const int64_t* idx = term.index.data_ptr<int64_t>() + 4 * i;
    const float* w = term.weight.data_ptr<float>() + 4 * i;
    const float *r0 = in + idx[0] * cols, *r1 = in + idx[1] * cols, *r2 = in + idx[2] * cols,
                *r3 = in + idx[3] * cols;
    const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
    for (int64_t j = 0; j < cols; ++j) o[j] += w0 * r0[j] + w1 * r1[j] + w2 * r2[j] + w3 * r3[j];
  }
  const float si = a.inv_source_norm[i];
  const float* it = a.inv_target_norm;
  if (a.exponent == 3.0f) {
    for (int64_t j = 0; j < cols; ++j) {
      const float c = std::max(0.0f, o[j] * si * it[j]);
      o[j] = c * c * c;
    }
  } else {
    for (int64_t j = 0; j < cols; ++j) o[j] = std::pow(std::max(0.0f, o[j] * si * it[j]), a.exponent);
  }
}

at::Tensor similarity_cpu(const Factors& f, double exponent, const detail::VoteGrid* votes,
                          at::Tensor* histogram, at::Tensor* row_max) {
  const int64_t rows = f.base_source.size(0), cols = f.base_target.size(0), depth = f.base_source.size(1);
  at::Tensor out = empty_large_matrix(rows, cols);
  // Narrow base layers: each block of up to 4 source rows gets its dot products just before the row kernel
  // finishes those rows, so the N_s x N_t matrix is written once instead of written by BLAS, read and
  // rewritten. Wide base layers are compute-bound: one BLAS product first.
  const bool fused = depth <= base_dots::kMaxFusedDepth;
  at::Tensor target_t;
  if (fused) {
    target_t = f.base_target.t().contiguous();
  } else {
    at::mm_out(out, f.base_source, f.base_target.t());
  }
  const at::Tensor inv_src = f.source_norm.reciprocal().contiguous(),
                   inv_trg = f.target_norm.reciprocal().contiguous();
  RowKernelArgs args{&f.terms, inv_src.data_ptr<float>(), inv_trg.data_ptr<float>(),
                     static_cast<float>(exponent), cols};
  float* o = out.data_ptr<float>();
  const float* source = f.base_source.data_ptr<float>();
  const float* target = fused ? target_t.data_ptr<float>() : nullptr;
  // Base dot products of `count` (<= 4) source rows first, first + step, ...
  const auto block_dots = [&](int64_t first, int64_t count, int64_t step) {
    base_dots::rows_times_target(source + first * depth, step * depth, static_cast<int>(count), depth, target,
                                 cols, o + first * cols, step * cols);
  };
  if (votes) {
    const int64_t width = votes->source_cols, height = votes->source_rows;
    if (width * height != rows) throw std::logic_error("similarity_cpu: vote grid and rows disagree");
    *histogram = detail::histogram_by_columns(
        *votes,
        [&](int64_t i) {
          // Each source column's rows arrive in order on one thread: the first row of every 4 computes the
          // dot products of the 4 rows i, i + width, ... of its column.
          const int64_t row = i / width;
          if (fused && row % 4 == 0) block_dots(i, std::min<int64_t>(4, height - row), width);
          similarity_row(args, i, o + i * cols);
          return static_cast<const float*>(o + i * cols);
        },
        row_max);
  } else {
    at::parallel_for(0, (rows + 3) / 4, 2, [&](int64_t begin, int64_t end) {
      for (int64_t block = begin; block < end; ++block) {
        const int64_t first = 4 * block, count = std::min<int64_t>(4, rows - first);
        if (fused) block_dots(first, count, 1);
        for (int64_t i = first; i < first + count; ++i) similarity_row(args, i, o + i * cols);
      }
    });
  }
  return out;
}

at::Tensor similarity_tensor(const Factors& f, double exponent) {
  at::Tensor dots = at::matmul(f.base_source, f.base_target.t());
  for (const CoarseTerm& term : f.terms) {
    const at::Tensor index = term.index.to(dots.device()), weight = term.weight.to(dots.device());
    for (int k = 0; k < 4; ++k) {
      dots.add_(term.rows.index_select(0, index.select(1, k)) * weight.select(1, k).unsqueeze(1));
    }
  }
  dots.div_(at::outer(f.source_norm, f.target_norm)).clamp_min_(0);
  if (exponent != 1.0) dots.pow_(exponent);
  return dots;
}

}  // namespace

at::Tensor factorized_similarity(const Hyperpixels& source, const Hyperpixels& target, double exponent) {
  const Factors f = factorize(source, target);
  return f.base_source.device().is_cpu() ? similarity_cpu(f, exponent, nullptr, nullptr, nullptr)
                                         : similarity_tensor(f, exponent);
}

namespace detail {

at::Tensor factorized_similarity_with_votes(const Hyperpixels& source, const Hyperpixels& target,
                                            double exponent, const VoteGrid& grid, at::Tensor* histogram,
                                            at::Tensor* row_max) {
  return similarity_cpu(factorize(source, target), exponent, &grid, histogram, row_max);
}

}  // namespace detail
}  // namespace hpf
