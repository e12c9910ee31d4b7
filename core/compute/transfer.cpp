#include "core/compute/transfer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace hpf {

TransferredKeypoints transfer_keypoints(const at::Tensor& source_boxes, const at::Tensor& target_boxes,
                                        const at::Tensor& best_target, const at::Tensor& keypoints) {
  if (keypoints.dim() != 2 || keypoints.size(1) != 2) throw std::invalid_argument("keypoints must be (K, 2)");
  const at::Tensor src = source_boxes.to(at::kCPU);
  const at::Tensor trg = target_boxes.to(at::kCPU);
  const at::Tensor best = best_target.to(at::kCPU);
  const at::Tensor kps = keypoints.to(at::kCPU, at::kFloat);

  const at::Tensor kx = kps.select(1, 0).unsqueeze(1);
  const at::Tensor ky = kps.select(1, 1).unsqueeze(1);
  // (K, N) one-hot of the source boxes containing each keypoint, inclusive on all sides.
  const at::Tensor covers = kx.ge(src.select(1, 0).unsqueeze(0)) & ky.ge(src.select(1, 1).unsqueeze(0)) &
                            kx.le(src.select(1, 2).unsqueeze(0)) & ky.le(src.select(1, 3).unsqueeze(0));
  const at::Tensor mask = covers.unsqueeze(2).to(at::kFloat);  // (K, N, 1)
  const at::Tensor src_topleft = src.slice(1, 0, 2).unsqueeze(0);                        // (1, N, 2)
  const at::Tensor trg_topleft = trg.slice(1, 0, 2).index_select(0, best).unsqueeze(0);  // (1, N, 2)
  // Same reduction as the reference: sum over all N of masked (target top-left + displacement), then divide.
  const at::Tensor votes = trg_topleft * mask + (kps.unsqueeze(1) - src_topleft) * mask;
  TransferredKeypoints out;
  out.covering = covers.sum(1);
  out.points = votes.sum(1) / out.covering.unsqueeze(1).to(at::kFloat);
  return out;
}

DenseFlow dense_flow(const at::Tensor& source_boxes, const at::Tensor& target_boxes, const at::Tensor& best_target,
                     int width, int height) {
  // Summed-area accumulation: add each box's displacement to its clipped rectangle with a 2-D difference array,
  // O(N + W*H) instead of O(N * W * H).
  const at::Tensor src = source_boxes.to(at::kCPU).to(at::kLong).contiguous();
  const at::Tensor trg = target_boxes.to(at::kCPU).to(at::kLong).index_select(0, best_target.to(at::kCPU)).contiguous();
  at::Tensor diff = at::zeros({3, height + 1, width + 1}, at::TensorOptions().dtype(at::kDouble));
  auto d = diff.accessor<double, 3>();
  auto s = src.accessor<int64_t, 2>();
  auto t = trg.accessor<int64_t, 2>();
  for (int64_t i = 0; i < src.size(0); ++i) {
    const int64_t x1 = std::max<int64_t>(0, s[i][0]), y1 = std::max<int64_t>(0, s[i][1]);
    const int64_t x2 = std::min<int64_t>(width - 1, s[i][2]), y2 = std::min<int64_t>(height - 1, s[i][3]);
    if (x1 > x2 || y1 > y2) continue;
    const double values[3] = {static_cast<double>(t[i][0] - s[i][0]), static_cast<double>(t[i][1] - s[i][1]), 1.0};
    for (int c = 0; c < 3; ++c) {
      d[c][y1][x1] += values[c];
      d[c][y1][x2 + 1] -= values[c];
      d[c][y2 + 1][x1] -= values[c];
      d[c][y2 + 1][x2 + 1] += values[c];
    }
  }
  const at::Tensor sums = diff.cumsum(1).cumsum(2).slice(1, 0, height).slice(2, 0, width);
  const at::Tensor count = sums[2];
  DenseFlow flow;
  flow.valid = count.gt(0.5);
  flow.displacement = (sums.slice(0, 0, 2) / count.clamp_min(1.0).unsqueeze(0)).to(at::kFloat);
  return flow;
}

at::Tensor keypoint_distances(const at::Tensor& predicted, const at::Tensor& ground_truth) {
  return (ground_truth.to(at::kFloat) - predicted.to(at::kFloat)).pow(2).sum(1).pow(0.5);
}

at::Tensor correct_keypoints(const at::Tensor& predicted, const at::Tensor& ground_truth, float threshold,
                             float alpha) {
  const at::Tensor distance = keypoint_distances(predicted, ground_truth);
  const at::Tensor limit = at::full_like(distance, threshold).mul(alpha);
  return distance.le(limit);
}

int64_t count_correct(const at::Tensor& predicted, const at::Tensor& ground_truth, float threshold, float alpha) {
  return correct_keypoints(predicted, ground_truth, threshold, alpha).sum().item<int64_t>();
}

}  // namespace hpf
