#include "core/eval/pck.h"

#include "core/compute/transfer.h"
#include "core/pipeline/pair_matching.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace hpf {
std::vector<Point2> as_points(const std::vector<Keypoint>& keypoints) {
  std::vector<Point2> points;
  points.reserve(keypoints.size());
  for (const Keypoint& k : keypoints) points.push_back({k.x, k.y});
  return points;
}

float pck_threshold_f32(const PairAnnotation& pair, ThresholdKind kind, int target_width, int target_height) {
  if (kind == ThresholdKind::Image) return static_cast<float>(std::max(target_width, target_height));
  if (!pair.has_bbox)
    throw std::runtime_error("pair " + pair.id + " has no target box for the bbox threshold");
  const auto& b = pair.target_bbox;
  const float t = std::max(static_cast<float>(b[2]) - static_cast<float>(b[0]),
                           static_cast<float>(b[3]) - static_cast<float>(b[1]));
  if (!(t > 0)) throw std::runtime_error("pair " + pair.id + ": the target box has zero size");
  return t;
}

void score_keypoints(const at::Tensor& predicted, const PairAnnotation& pair, ThresholdKind threshold,
                     float ratio, int target_width, int target_height, const std::vector<std::string>& alphas,
                     PairRecord& record) {
  const float original_t = pck_threshold_f32(pair, threshold, target_width, target_height);
  record.threshold = original_t;
  const float resized_t = original_t * ratio;  // float32, like pckthres * trg_intratio
  const at::Tensor gt = scale_points(as_points(pair.target_kps), ratio);
  const at::Tensor distance = keypoint_distances(predicted, gt);
  for (int64_t k = 0; k < distance.size(0); ++k) {
    const float d = distance[k].item<float>();
    record.normalized_distance.push_back(std::isnan(d) ? -1.0 : static_cast<double>(d) / resized_t);
  }
  for (const std::string& alpha : alphas) {
    const at::Tensor correct =
        correct_keypoints(predicted, gt, resized_t, static_cast<float>(std::stod(alpha)));
    std::vector<bool> flags;
    int64_t count = 0;
    for (int64_t k = 0; k < correct.size(0); ++k) {
      flags.push_back(correct[k].item<bool>());
      count += flags.back();
    }
    record.correct[alpha] = flags;
    record.pck[alpha] = flags.empty() ? 0.0 : static_cast<double>(count) / static_cast<double>(flags.size());
  }
}

}  // namespace hpf
