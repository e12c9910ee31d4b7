#pragma once
// Scores many hyperpixel layer sets on one image pair at once -- the layer search's unit of work. What
// follows is HPF's joint scoring; other methods (SCOT) score each candidate through the method itself.
//
// The cosine similarity of a concatenation decomposes into per-layer dot products and per-layer squared
// norms:
//   cos(i, j) = sum_l <U f_l(i), U f'_l(j)> / sqrt(sum_l |U f_l(i)|^2 * sum_l |U f'_l(j)|^2)
// with U the bilinear upsampling to the base grid. Candidates formed from the same set P plus one layer e
// (all the extensions of one beam set) share the base grid and every term of P. So, per pair:
//  * a layer at the base resolution contributes a product of its kept rows; a coarser layer its correlation
//    with the target map interpolated along x to every column of the base grid (computed once per pair,
//    layer and grid width: bases of the same jump share it), of which a source row of the full similarity is
//    4 source taps at the kept target columns, then 2 rows per kept target row -- a few tens of KB per row,
//    all in cache;
//  * source rows are scored a column at a time, in blocks of 16: the block's shared dot products are
//    finished once (narrow base layers in column tiles), then every candidate finishes them with its own
//    term, normalises, and votes straight into its own Hough accumulator -- no N_s x N_t matrix exists at
//    any time; the vote loop runs over fixed column tasks whose histograms are summed in task order, so
//    scores do not depend on the thread count;
//  * the confidence argmax is only needed for the source rows whose boxes cover a keypoint (the only ones the
//    keypoint transfer reads); those rows are recomputed after the histogram is smoothed.
// Per-layer norms are cached per image and grid size (ImageStore); correlations per pair within a byte
// budget, candidates being processed in chunks that fit (the shared terms are rebuilt per chunk).
//
// The float operations are the evaluation's in another order (per layer instead of per concatenated group,
// source taps before target taps, the cube's source factor applied per sum, histogram by columns and by runs
// of target rows), so similarities agree to ~1e-7 relative, not to the bit. A
// PCK changes only if that flips the best match of a keypoint-covering row AND moves the keypoint across the
// threshold; tests/search checks the scores for exact equality with `hpf eval`'s on real data, and
// `hpf search --bench` compares every candidate of a depth.

#include "core/compute/hyperpixel_flow.h"
#include "core/compute/layer_set.h"
#include "core/search/beam_search.h"
#include "core/search/image_store.h"
#include "datasets/dataset.h"

#include <string>
#include <vector>

namespace hpf {

struct ScorerOptions {
  MatchOptions match;  // RHM, hyperpixel and resizing options (match.layers is not used)
  ThresholdKind threshold = ThresholdKind::BoundingBox;
  std::string alpha = "0.1";                   // PCK tolerance, as the user wrote it
  size_t term_budget_bytes = size_t{1} << 30;  // per-pair correlations of coarse layers kept in memory
};

struct PairScore {
  std::vector<double> pck;           // per candidate: fraction of keypoints within alpha * T
  std::vector<bool> no_hyperpixels;  // per candidate: the base layer left no hyperpixel in an image (PCK 0)
  std::vector<double> seconds;       // per candidate: its share of this pair's wall time
  double similarities = 0;           // source/target similarities finished, over all candidates (the work)
};

class CandidateScorer {
 public:
  CandidateScorer(const Dataset& dataset, const Backbone& backbone, ImageStore& store, ScorerOptions options);

  // PCK of every candidate on `pair`, in the order given. Throws std::invalid_argument for an unknown layer
  // id or a polygon (Caltech-101) dataset, and what reading or decoding the pair's images throws.
  PairScore score_pair(const PairAnnotation& pair, const std::vector<Candidate>& candidates);

  const ScorerOptions& options() const { return options_; }

 private:
  // Methods other than HPF (SCOT): each candidate through the matching method, as the evaluation runs it.
  PairScore score_pair_by_method(const PairAnnotation& pair, const std::vector<Candidate>& candidates);

  const Dataset& dataset_;
  const Backbone& backbone_;
  ImageStore& store_;
  ScorerOptions options_;
};

}  // namespace hpf
