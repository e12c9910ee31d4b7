// Factorised appearance similarity.
//
// Bilinear upsampling is linear: the upsampled map of layer l is U_l f_l with U_l = A_l (x) B_l separable. Hence
// <U f_s(p), U f_t(p')> = (M_s (f_s^T f_t) M_t^T)[p, p'], i.e. the dot products of upsampled features are the
// *interpolated* dot products computed at the layer's own, coarser resolution. Layers sharing a resolution are
// correlated together (one Gram matrix per resolution, 16x coarser grid = 256x fewer pairs) and interpolated once;
// only the layers at the base resolution need the full N_s x N_t product. The norms of the concatenation are
// sums of per-layer norms of the upsampled maps. The result equals the reference's similarity up to float
// rounding.

#include "core/compute/rhm.h"

#include <ATen/ATen.h>

#include <map>
#include <utility>

namespace hpf {
namespace {

using Resolution = std::pair<int64_t, int64_t>;  // (h, w)

// Channel-concatenation of one image's maps, grouped by jump: layers with the same jump share a resolution,
// and grouping by jump (not by size) pairs the same layers in both images whatever their sizes.
std::map<int64_t, at::Tensor> group_by_jump(const Hyperpixels& hp) {
  std::map<int64_t, std::vector<at::Tensor>> parts;
  for (size_t i = 0; i < hp.layer_maps.size(); ++i) parts[hp.layers[i].jump].push_back(hp.layer_maps[i]);
  std::map<int64_t, at::Tensor> groups;
  for (auto& [jump, maps] : parts) groups[jump] = maps.size() == 1 ? maps.front() : at::cat(maps, 0);
  return groups;
}

Resolution resolution(const at::Tensor& map) { return {map.size(1), map.size(2)}; }

// Squared norm at every base-grid position of the group's maps after upsampling, without keeping the upsampled
// features around longer than one slice of channels.
at::Tensor upsampled_squared_norms(const at::Tensor& group, int64_t height, int64_t width) {
  at::Tensor total = at::zeros({height, width}, group.options());
  constexpr int64_t kChannelsPerSlice = 512;
  for (int64_t c = 0; c < group.size(0); c += kChannelsPerSlice) {
    at::Tensor slice = group.slice(0, c, c + kChannelsPerSlice).unsqueeze(0);
    if (slice.size(2) != height || slice.size(3) != width) {
      slice = at::upsample_bilinear2d(slice, {height, width}, /*align_corners=*/true);
    }
    total += slice.squeeze(0).pow(2).sum(0);
  }
  return total.view(-1);
}

// (h_s w_s, h_t w_t) Gram matrix interpolated to (H_s W_s, H_t W_t), one axis pair at a time.
at::Tensor interpolate_gram(const at::Tensor& gram, Resolution src, Resolution trg, Resolution src_base,
                            Resolution trg_base) {
  const int64_t n_src = src.first * src.second;
  at::Tensor g = gram.view({n_src, 1, trg.first, trg.second});
  if (trg != trg_base) g = at::upsample_bilinear2d(g, {trg_base.first, trg_base.second}, true);
  g = g.view({n_src, -1}).t().contiguous().view({-1, 1, src.first, src.second});
  if (src != src_base) g = at::upsample_bilinear2d(g, {src_base.first, src_base.second}, true);
  return g.view({trg_base.first * trg_base.second, -1}).t();
}

}  // namespace

at::Tensor factorized_similarity(const Hyperpixels& source, const Hyperpixels& target, double exponent) {
  const Resolution src_base{source.grid_height, source.grid_width};
  const Resolution trg_base{target.grid_height, target.grid_width};
  const auto src_groups = group_by_jump(source);
  const auto trg_groups = group_by_jump(target);

  at::Tensor dots;
  at::Tensor src_sq = at::zeros({src_base.first * src_base.second}, source.layer_maps.front().options());
  at::Tensor trg_sq = at::zeros({trg_base.first * trg_base.second}, target.layer_maps.front().options());
  for (auto s = src_groups.begin(), t = trg_groups.begin(); s != src_groups.end(); ++s, ++t) {
    const at::Tensor& fs = s->second;
    const at::Tensor& ft = t->second;
    if (fs.size(0) != ft.size(0)) throw std::logic_error("factorized_similarity: layer groups do not correspond");
    const at::Tensor gram = at::matmul(fs.reshape({fs.size(0), -1}).t(), ft.reshape({ft.size(0), -1}));
    const at::Tensor full = interpolate_gram(gram, resolution(fs), resolution(ft), src_base, trg_base);
    dots = dots.defined() ? dots.add_(full) : full.contiguous();
    src_sq += upsampled_squared_norms(fs, src_base.first, src_base.second);
    trg_sq += upsampled_squared_norms(ft, trg_base.first, trg_base.second);
  }
  const at::Tensor src_index = source.grid_index.to(dots.device());
  const at::Tensor trg_index = target.grid_index.to(dots.device());
  at::Tensor sim = dots.index_select(0, src_index).index_select(1, trg_index);
  const at::Tensor norms = at::outer(src_sq.index_select(0, src_index).sqrt(), trg_sq.index_select(0, trg_index).sqrt());
  sim.div_(norms).clamp_min_(0);
  if (exponent != 1.0) sim.pow_(exponent);
  return sim;
}

}  // namespace hpf
