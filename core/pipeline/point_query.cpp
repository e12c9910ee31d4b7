#include "core/pipeline/point_query.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

namespace hpf {
namespace {

// Values of the target's kept hyperpixels spread over its base grid (pruned positions 0), optionally divided
// by their maximum.
std::vector<float> on_target_grid(const Hyperpixels& target, at::Tensor values, bool rescale) {
  if (rescale) {
    const float peak = values.max().item<float>();
    if (peak > 0) values = values / peak;
  }
  at::Tensor grid =
      at::zeros({target.grid_height * target.grid_width}, at::TensorOptions().dtype(at::kFloat));
  grid.index_copy_(0, target.grid_index.to(at::kCPU), values.to(at::kCPU, at::kFloat));
  return std::vector<float>(grid.data_ptr<float>(), grid.data_ptr<float>() + grid.numel());
}

// The query, given the target's concatenated features (hyperpixel_feature_rows of every target row).
PointQuery query_with(const MatchedPair& pair, const at::Tensor& target_features,
                      const Point2& source_point) {
  c10::InferenceMode inference;
  PointQuery q;
  const Hyperpixels& src = pair.source.hyperpixels;
  const Hyperpixels& trg = pair.target.hyperpixels;
  q.grid_width = trg.grid_width;
  q.grid_height = trg.grid_height;
  q.target_jump = trg.layers.front().jump;

  const std::vector<TransferredPoint> transferred = transfer_points(pair, {source_point});
  q.best_match = transferred.front().target;

  const float x = static_cast<float>(source_point.x) * pair.source_scale;
  const float y = static_cast<float>(source_point.y) * pair.source_scale;
  const at::Tensor b = src.boxes;
  const at::Tensor covers =
      b.select(1, 0).le(x) & b.select(1, 1).le(y) & b.select(1, 2).ge(x) & b.select(1, 3).ge(y);
  const at::Tensor indices = covers.nonzero().view(-1);
  if (indices.numel() == 0) return q;

  const at::Tensor best = pair.match.best.target_index.to(at::kCPU);
  const auto box = [](const at::Tensor& boxes, int64_t i, float scale) {
    return std::array<double, 4>{boxes[i][0].item<double>() / scale, boxes[i][1].item<double>() / scale,
                                 boxes[i][2].item<double>() / scale, boxes[i][3].item<double>() / scale};
  };
  at::Tensor sum = at::zeros({trg.size()}, pair.match.correlation.similarity.options());
  for (int64_t k = 0; k < indices.size(0); ++k) {
    const int64_t i = indices[k].item<int64_t>();
    q.covering.push_back(i);
    q.source_boxes.push_back(box(src.boxes, i, pair.source_scale));
    q.target_boxes.push_back(box(trg.boxes, best[i].item<int64_t>(), pair.target_scale));
    sum += pair.match.correlation.confidence_rows(i, i + 1).squeeze(0);
  }
  const at::Tensor rows = indices.to(pair.match.correlation.similarity.device());
  q.confidence = on_target_grid(trg, sum, /*rescale=*/true);
  q.votes = on_target_grid(trg, pair.match.correlation.similarity.index_select(0, rows).mean(0), true);
  const at::Tensor cosine =
      appearance_similarity(hyperpixel_feature_rows(src, indices), target_features, 1.0);
  q.appearance = on_target_grid(trg, cosine.mean(0), false);
  return q;
}

at::Tensor all_features(const Hyperpixels& hyperpixels) {
  c10::InferenceMode inference;
  return hyperpixel_feature_rows(hyperpixels, {});
}

}  // namespace

PointQuery query_point(const MatchedPair& pair, const Point2& source_point) {
  return query_with(pair, all_features(pair.target.hyperpixels), source_point);
}

PointQueries::PointQueries(std::shared_ptr<const MatchedPair> pair)
    : pair_(std::move(pair)), target_features_(all_features(pair_->target.hyperpixels)) {}

PointQuery PointQueries::query(const Point2& source_point) const {
  return query_with(*pair_, target_features_, source_point);
}

}  // namespace hpf
