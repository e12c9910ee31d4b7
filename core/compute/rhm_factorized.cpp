// Factorised appearance similarity.
//
// Bilinear upsampling is linear: a layer upsampled to the base grid is U f with U = A (x) B separable, hence
// <U f_s(p), U f_t(p')> = (M_s G M_t^T)[p, p'] with G = f_s^T f_t the Gram matrix at the layer's own, coarser
// resolution. Layers sharing a jump share a resolution and are correlated together (one G per group); G is
// interpolated to the target's base grid along the target axes once (small: coarse rows only), and every base
// source row is then a 4-tap weighted sum of those rows. Only the layers at the base resolution need the full
// N_s x N_t product. The norms of the concatenation are sums of per-layer norms of the upsampled maps.
// The result equals the reference's similarity up to float rounding, at a fraction of the N_s x N_t x D cost.

#include "core/compute/rhm.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <map>
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

// Squared norms, at the kept base positions, of the group's maps upsampled to the base grid (align_corners=true),
// one slice of channels at a time so the upsampled features never exist whole.
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

// Source coordinate and weight of bilinear upsampling with align_corners=true, as ATen computes them in float.
struct Tap1d {
  int64_t low, high;
  float high_weight;
};
Tap1d tap(int64_t out_index, int64_t in_size, int64_t out_size) {
  const float scale = out_size > 1 ? static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1) : 0.f;
  const float real = scale * static_cast<float>(out_index);
  const int64_t low = static_cast<int64_t>(real);
  const int64_t high = low < in_size - 1 ? low + 1 : low;
  return {low, high, real - static_cast<float>(low)};
}

// For every kept base position of `hp`, the 4 coarse positions (row-major in a h x w map) it interpolates and
// their weights: (N, 4) int64 and (N, 4) float32.
std::pair<at::Tensor, at::Tensor> bilinear_taps(const Hyperpixels& hp, int64_t h, int64_t w) {
  const at::Tensor kept = hp.grid_index.to(at::kCPU).contiguous();
  const int64_t n = kept.size(0);
  at::Tensor index = at::empty({n, 4}, at::TensorOptions().dtype(at::kLong));
  at::Tensor weight = at::empty({n, 4}, at::TensorOptions().dtype(at::kFloat));
  auto idx = index.accessor<int64_t, 2>();
  auto wgt = weight.accessor<float, 2>();
  const int64_t* k = kept.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const Tap1d ty = tap(k[i] / hp.grid_width, h, hp.grid_height);
    const Tap1d tx = tap(k[i] % hp.grid_width, w, hp.grid_width);
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

// dots[i, :] += sum_k weight[i, k] * rows[index[i, k], :]
void accumulate_taps(at::Tensor& dots, const at::Tensor& rows, const at::Tensor& index, const at::Tensor& weight) {
  if (!dots.device().is_cpu()) {
    const at::Tensor i = index.to(dots.device()), w = weight.to(dots.device());
    for (int k = 0; k < 4; ++k) dots.add_(rows.index_select(0, i.select(1, k)) * w.select(1, k).unsqueeze(1));
    return;
  }
  const int64_t cols = dots.size(1);
  float* out = dots.data_ptr<float>();
  const at::Tensor r = rows.contiguous();
  const float* in = r.data_ptr<float>();
  const int64_t* idx = index.data_ptr<int64_t>();
  const float* wgt = weight.data_ptr<float>();
  at::parallel_for(0, dots.size(0), 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float* o = out + i * cols;
      const float* r0 = in + idx[4 * i] * cols;
      const float* r1 = in + idx[4 * i + 1] * cols;
      const float* r2 = in + idx[4 * i + 2] * cols;
      const float* r3 = in + idx[4 * i + 3] * cols;
      const float w0 = wgt[4 * i], w1 = wgt[4 * i + 1], w2 = wgt[4 * i + 2], w3 = wgt[4 * i + 3];
      for (int64_t j = 0; j < cols; ++j) o[j] += w0 * r0[j] + w1 * r1[j] + w2 * r2[j] + w3 * r3[j];
    }
  });
}

at::Tensor kept_rows(const at::Tensor& map, const Hyperpixels& hp) {
  return map.reshape({map.size(0), -1}).t().index_select(0, hp.grid_index.to(map.device()));
}

}  // namespace

at::Tensor factorized_similarity(const Hyperpixels& source, const Hyperpixels& target, double exponent) {
  const auto src_groups = group_by_jump(source);
  const auto trg_groups = group_by_jump(target);
  if (src_groups.size() != trg_groups.size()) throw std::logic_error("factorized_similarity: layer sets differ");

  at::Tensor dots, src_sq, trg_sq;
  for (auto s = src_groups.begin(), t = trg_groups.begin(); s != src_groups.end(); ++s, ++t) {
    const at::Tensor& fs = s->second;
    const at::Tensor& ft = t->second;
    if (s == src_groups.begin()) {
      // The base resolution (smallest jump): the one full-size product, on kept positions only.
      const at::Tensor rows_s = kept_rows(fs, source), rows_t = kept_rows(ft, target);
      dots = at::matmul(rows_s, rows_t.t());
      src_sq = rows_s.pow(2).sum(1);
      trg_sq = rows_t.pow(2).sum(1);
      continue;
    }
    // Coarse group: Gram matrix at native resolution, interpolated along the target axes to the kept target
    // positions, then along the source axes by 4-tap sums straight into `dots`.
    const int64_t hs = fs.size(1), ws = fs.size(2), ht = ft.size(1), wt = ft.size(2);
    const at::Tensor gram = at::matmul(fs.reshape({fs.size(0), -1}).t(), ft.reshape({ft.size(0), -1}));
    at::Tensor rows = at::upsample_bilinear2d(gram.view({hs * ws, 1, ht, wt}),
                                              {target.grid_height, target.grid_width}, /*align_corners=*/true);
    rows = rows.view({hs * ws, -1}).index_select(1, target.grid_index.to(rows.device()));
    const auto [index, weight] = bilinear_taps(source, hs, ws);
    accumulate_taps(dots, rows, index, weight);
    src_sq += upsampled_squared_norms(fs, source);
    trg_sq += upsampled_squared_norms(ft, target);
  }
  dots.div_(at::outer(src_sq.sqrt(), trg_sq.sqrt())).clamp_min_(0);
  if (exponent != 1.0) dots.pow_(exponent);
  return dots;
}

}  // namespace hpf
