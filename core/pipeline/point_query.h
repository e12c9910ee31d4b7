#pragma once
// Point queries on a matched pair: where does one source pixel go, and how confident is the matcher about
// each target position? Reuses the pair's correlation and (PointQueries) the target's features, so it is
// cheap enough to follow the mouse.

#include "core/pipeline/pair_matching.h"

#include <array>
#include <memory>
#include <optional>
#include <vector>

namespace hpf {

struct PointQuery {
  // Source hyperpixels whose receptive field contains the point (indices into the pair's source hyperpixels).
  std::vector<int64_t> covering;
  // Their boxes and the boxes of their best target matches, [x1, y1, x2, y2] in ORIGINAL image pixels.
  std::vector<std::array<double, 4>> source_boxes, target_boxes;
  // Mean RHM confidence of the covering hyperpixels over the target base grid (grid_height x grid_width, row
  // major), scaled to [0, 1]; pruned positions are 0. Empty when no hyperpixel covers the point.
  std::vector<float> confidence;
  // What the confidence is made of, on the same grid: the mean max(0, cos) of the covering hyperpixels (not
  // rescaled: cosines are comparable across points), and the mean of the method's votes before the Hough
  // weighting (HPF: max(0, cos)^d; SCOT: the rescaled transport plan raised to its exponent), scaled to [0,
  // 1].
  std::vector<float> appearance, votes;
  int64_t grid_width = 0, grid_height = 0;
  int64_t target_jump = 0;  // base-grid spacing on the target, in resized pixels
  // Where the point transfers to (original target pixels), as keypoint transfer would move it.
  std::optional<Point2> best_match;
};

// Throws std::invalid_argument for a point outside the source image. One query: it materialises the target's
// features (every layer upsampled) itself; PointQueries does that once for all queries of a pair.
PointQuery query_point(const MatchedPair& pair, const Point2& source_point);

// The queries of one pair, with their shared per-pair work done once at construction (in the worker that
// matched the pair, not on each mouse move): the target's concatenated hyperpixel features, which every
// query's cosine row reads.
class PointQueries {
 public:
  explicit PointQueries(std::shared_ptr<const MatchedPair> pair);
  PointQuery query(const Point2& source_point) const;  // as query_point
  const MatchedPair& pair() const { return *pair_; }

 private:
  std::shared_ptr<const MatchedPair> pair_;
  at::Tensor target_features_;
};

}  // namespace hpf
