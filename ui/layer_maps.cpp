#include "ui/layer_maps.h"

#include "core/compute/preprocess.h"
#include "ui/figure_builder.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <numeric>

namespace hpf {

namespace {

// Projects both maps (C, h, w) on the three leading principal components of their pooled features, so the
// same colour means the same feature direction in source and target. Returns uint8 (h, w, 3) tensors.
std::pair<at::Tensor, at::Tensor> pca_rgb(const at::Tensor& a, const at::Tensor& b) {
  const int64_t c = a.size(0);
  const at::Tensor fa = a.reshape({c, -1}).t(), fb = b.reshape({c, -1}).t();  // (n, C)
  const at::Tensor all = at::cat({fa, fb}, 0);
  const at::Tensor mean = all.mean(0, true);
  const at::Tensor centred = all - mean;
  const at::Tensor cov = centred.t().matmul(centred) / std::max<int64_t>(1, all.size(0) - 1);
  const at::Tensor vectors = std::get<1>(at::linalg_eigh(cov));  // ascending eigenvalues
  const int64_t k = std::min<int64_t>(3, c);
  at::Tensor basis = vectors.narrow(1, c - k, k).flip({1});  // (C, k), strongest first
  at::Tensor projected = centred.matmul(basis);              // (n, k)
  if (k < 3) projected = at::cat({projected, at::zeros({projected.size(0), 3 - k})}, 1);
  // Robust per-channel range so a few extreme activations do not wash the map out.
  const at::Tensor lo = std::get<0>(projected.kthvalue(std::max<int64_t>(1, projected.size(0) / 50), 0));
  const at::Tensor hi = std::get<0>(projected.kthvalue(std::max<int64_t>(1, projected.size(0) * 49 / 50), 0));
  const at::Tensor scaled = ((projected - lo) / (hi - lo).clamp_min(1e-6)).clamp(0, 1).mul(255).to(at::kByte);
  const int64_t na = fa.size(0);
  const auto image = [&](const at::Tensor& rows, const at::Tensor& map) {
    return rows.reshape({map.size(1), map.size(2), 3}).contiguous();
  };
  return {image(scaled.narrow(0, 0, na), a), image(scaled.narrow(0, na, scaled.size(0) - na), b)};
}

std::vector<float> column(const at::Tensor& map, int64_t x, int64_t y) {
  const at::Tensor v = map.select(2, std::clamp<int64_t>(x, 0, map.size(2) - 1))
                           .select(1, std::clamp<int64_t>(y, 0, map.size(1) - 1))
                           .contiguous();
  return std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
}

}  // namespace

LayerMaps compute_layer_maps(Backbone& backbone, const DecodedImage& source, const DecodedImage& target,
                             const MatchOptions& options, const std::function<void(int, int)>& check) {
  c10::InferenceMode inference;
  const std::vector<LayerInfo>& layers = backbone.layers();
  std::vector<int> ids;
  for (const LayerInfo& l : layers) ids.push_back(l.id);
  const PreparedImage ps = prepare_for_matching(source.rgb, options),
                      pt = prepare_for_matching(target.rgb, options);
  const c10::Device device = backbone.device();
  const int total = static_cast<int>(layers.size()) + 2;
  if (check) check(0, total);
  const std::vector<at::Tensor> ms = backbone.extract(ps.tensor.to(device), ids);
  if (check) check(1, total);
  const std::vector<at::Tensor> mt = backbone.extract(pt.tensor.to(device), ids);
  LayerMaps out;
  out.source_ratio = ps.ratio;
  out.target_ratio = pt.ratio;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (check) check(static_cast<int>(i) + 2, total);
    const at::Tensor a = ms[i].squeeze(0).to(at::kCPU, at::kFloat).contiguous();
    const at::Tensor b = mt[i].squeeze(0).to(at::kCPU, at::kFloat).contiguous();
    const auto [ia, ib] = pca_rgb(a, b);
    out.tiles.push_back(LayerTile{layers[i], rgb_tensor_to_image(ia), rgb_tensor_to_image(ib)});
    out.source.push_back(a);
    out.target.push_back(b);
  }
  return out;
}

std::vector<float> layer_similarity(const LayerMaps& maps, float source_scale, float target_scale, double sx,
                                    double sy, double tx, double ty) {
  std::vector<float> out;
  for (size_t i = 0; i < maps.tiles.size(); ++i) {
    const double jump = static_cast<double>(maps.tiles[i].info.jump);
    const std::vector<float> a = column(maps.source[i], static_cast<int64_t>(sx * source_scale / jump),
                                        static_cast<int64_t>(sy * source_scale / jump));
    const std::vector<float> b = column(maps.target[i], static_cast<int64_t>(tx * target_scale / jump),
                                        static_cast<int64_t>(ty * target_scale / jump));
    const double dot = std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
    const double na = std::sqrt(std::inner_product(a.begin(), a.end(), a.begin(), 0.0));
    const double nb = std::sqrt(std::inner_product(b.begin(), b.end(), b.begin(), 0.0));
    out.push_back(na > 0 && nb > 0 ? static_cast<float>(dot / (na * nb)) : 0.0f);
  }
  return out;
}

}  // namespace hpf
