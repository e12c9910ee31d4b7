#pragma once
// Regularized Hough Matching (docs/method.md §4) over a pair of hyperpixel sets.
//
// The reference materialises an N_s x n_bins buffer to build the Hough histogram. Here the histogram is
// accumulated directly (per source column on CPU, see rhm_cpu.h; a bincount over source-row chunks on GPU),
// so peak memory is the N_s x N_t similarity plus one chunk.

#include "core/compute/hyperpixels.h"
#include "core/compute/match_options.h"

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace hpf {

// Geometry of the Hough space for two resized images.
struct HoughSpace {
  int64_t bins_x = 0;
  int64_t bins_y = 0;
  double cell_size = 0.0;
  int64_t bins() const { return bins_x * bins_y; }
};
HoughSpace hough_space(int src_width, int src_height, int trg_width, int trg_height, int64_t ncells);

// Normalised Gaussian kernel exactly as the reference builds it (sigma = side / (2 * 2.354)).
at::Tensor gaussian_kernel(int64_t side);

// The per-pair state kept after matching: enough to answer point queries and draw the flow.
struct Correlation {
  at::Tensor similarity;  // (N_s, N_t) float32, max(0, cos)^d
  at::Tensor hough;       // (bins_y, bins_x) smoothed histogram (empty when voting is off)
  at::Tensor bin_lut_x;   // int64 LUT: integer x-offset - offset_x -> bin column
  at::Tensor bin_lut_y;
  int64_t offset_x = 0;  // smallest x vote value covered by the LUT
  int64_t offset_y = 0;
  HoughSpace space;
  // CPU: (N_s, kept target rows), the largest similarity of each source row within each kept target row,
  // taken while voting; lets best_matches skip target rows that cannot hold the maximum. May be empty.
  at::Tensor row_max;
  at::Tensor source_centers;  // (N_s, 2) on the compute device
  at::Tensor target_centers;  // (N_t, 2)
  int src_width = 0, src_height = 0;

  // Confidence C(i, j) = S(i, j) * H~[bin(i, j)] of source rows [begin, end): (end-begin, N_t).
  at::Tensor confidence_rows(int64_t begin, int64_t end) const;
  // Hough bin ids of source rows [begin, end): (end-begin, N_t) int64.
  at::Tensor bin_ids(int64_t begin, int64_t end) const;
};

struct BestMatches {
  at::Tensor target_index;  // (N_s,) int64: argmax_j C(i, j)
  at::Tensor confidence;    // (N_s,) float32: max_j C(i, j)
};

struct RhmTimings {
  double similarity_ms = 0, voting_ms = 0, smoothing_ms = 0, argmax_ms = 0;
  double transport_ms = 0;  // SCOT's Sinkhorn step and plan (outside the voting pass)
};

// Appearance similarity as the reference computes it from concatenated features.
at::Tensor appearance_similarity(const at::Tensor& source_features, const at::Tensor& target_features,
                                 double exponent);

// Factorised similarity: the same cosine from per-layer maps at native resolution (see
// similarity_factorized.cpp).
at::Tensor factorized_similarity(const Hyperpixels& source, const Hyperpixels& target, double exponent);

// The steps of RHM, for matching methods that compute their own votes (SCOT, docs/method.md §10):
// the pair's Hough space and vote lookup tables in `c` (throws when a vote falls outside it);
void set_hough_geometry(const Hyperpixels& source, const Hyperpixels& target, const RhmOptions& options,
                        at::Device device, Correlation& c);
// the weighted histogram of the votes in c.similarity (on CPU, also fills c.row_max);
at::Tensor vote_histogram(Correlation& c);
// c.hough = the histogram smoothed by the Gaussian kernel of side `kernel_size`.
void smooth_hough(Correlation& c, const at::Tensor& histogram, int64_t kernel_size);

// Runs RHM. The correlation is returned so point queries can reuse it.
Correlation regularized_hough_matching(const Hyperpixels& source, const Hyperpixels& target,
                                       const RhmOptions& options, RhmTimings* timings = nullptr);

// Best target per source hyperpixel, computed chunk by chunk (never the whole confidence matrix at once).
BestMatches best_matches(const Correlation& correlation, RhmTimings* timings = nullptr);

}  // namespace hpf
