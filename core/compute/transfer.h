#pragma once
// Keypoint transfer (docs/method.md §5), dense flow and PCK (§6).

#include <ATen/core/Tensor.h>

namespace hpf {

struct TransferredKeypoints {
  at::Tensor
      points;  // (K, 2) float32 in the resized target frame; NaN where no source box covers the keypoint
  at::Tensor covering;  // (K,) int64: number of source boxes that contain the keypoint
};

// For each keypoint (K, 2) in the resized source frame, averages kp + topleft(target box of the best match) -
// topleft(source box) over the source boxes that contain it (bounds inclusive). A keypoint no box covers gets
// NaN (the reference's behaviour: it counts as wrong) and covering = 0, so callers can report it.
TransferredKeypoints transfer_keypoints(const at::Tensor& source_boxes, const at::Tensor& target_boxes,
                                        const at::Tensor& best_target, const at::Tensor& keypoints);

// Per-pixel displacement (2, H, W) over the resized source image: at each pixel, the mean of
// topleft(target box of the best match) - topleft(source box) over the source boxes covering it, i.e. what
// transfer_keypoints would move that pixel by. `valid` (H, W) bool marks pixels covered by at least one box.
struct DenseFlow {
  at::Tensor displacement;  // (2, H, W) float32, zero where not valid
  at::Tensor valid;         // (H, W) bool
};
DenseFlow dense_flow(const at::Tensor& source_boxes, const at::Tensor& target_boxes,
                     const at::Tensor& best_target, int width, int height);

// Per keypoint: within alpha * threshold of the ground truth (float32 like the reference; NaN is wrong). (K,)
// bool.
at::Tensor correct_keypoints(const at::Tensor& predicted, const at::Tensor& ground_truth, float threshold,
                             float alpha);

// Euclidean distances between predictions and ground truth, (K,) float32 (NaN where the prediction is NaN).
at::Tensor keypoint_distances(const at::Tensor& predicted, const at::Tensor& ground_truth);

// Number of predictions within alpha * threshold of the ground truth (both (K, 2), same frame), computed in
// float32 like the reference; NaN predictions are wrong.
int64_t count_correct(const at::Tensor& predicted, const at::Tensor& ground_truth, float threshold,
                      float alpha);

}  // namespace hpf
