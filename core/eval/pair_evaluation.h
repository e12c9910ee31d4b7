#pragma once
// Scoring one matched pair against its annotation: PCK at every alpha (keypoint datasets) or LT-ACC/IoU of
// the transferred mask polygon (Caltech-101), exactly as the reference computes them (docs/method.md §6).

#include "core/eval/eval_options.h"
#include "core/eval/pair_record.h"
#include "core/eval/pck.h"
#include "core/pipeline/pair_matching.h"

namespace hpf {

// How far outside its image an annotated keypoint may lie, as a fraction of the image's longer side: up to
// it, a warning in the pair's record; beyond it, std::invalid_argument naming the pair's image and keypoint.
constexpr double kKeypointMargin = 0.05;

// Fills the result fields of `record` (index, names and flags are the caller's); checks the annotated
// keypoints against their images first (kKeypointMargin).
void score_pair(const MatchedPair& matched, const PairAnnotation& pair, AnnotationKind kind,
                ThresholdKind threshold, const std::vector<std::string>& alphas, PairRecord& record);

// Caltech-101: fraction of pixels whose in/out label agrees, and intersection over union, of the two polygons
// rasterised at width x height. Polygon vertices that could not be transferred (NaN) are dropped.
std::pair<double, double> mask_agreement(const std::vector<Point2>& predicted,
                                         const std::vector<Point2>& truth, int width, int height);

}  // namespace hpf
