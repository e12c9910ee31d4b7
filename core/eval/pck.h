#pragma once
// PCK (docs/method.md §6): a transferred keypoint is correct when it lies within alpha * T of its ground
// truth, T being the target's bounding-box or image size, all in the resized frame and in float32 as the
// reference computes it. Per pair here; over a run in summary.h (per image, as the paper, or per keypoint).

#include "core/eval/eval_options.h"
#include "core/eval/pair_record.h"
#include "core/pipeline/pair_matching.h"
#include "datasets/dataset.h"

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace hpf {

// An annotation's keypoints as points (original pixels).
std::vector<Point2> as_points(const std::vector<Keypoint>& keypoints);

// T in original target pixels, in float32 as the reference computes it: Image -> max(H, W) of the target;
// BoundingBox -> max(w, h) of the target box (PF-WILLOW: of the target keypoints' extent).
float pck_threshold_f32(const PairAnnotation& pair, ThresholdKind kind, int target_width, int target_height);

// Fills the keypoint fields of `record` from the predictions `predicted` (K, 2) in the resized target frame
// (NaN rows: not covered, counted wrong): the threshold, each keypoint's normalised distance, and per alpha
// which keypoints are correct and the pair's PCK. `ratio` takes original target pixels to the resized frame.
void score_keypoints(const at::Tensor& predicted, const PairAnnotation& pair, ThresholdKind threshold,
                     float ratio, int target_width, int target_height, const std::vector<std::string>& alphas,
                     PairRecord& record);

}  // namespace hpf
