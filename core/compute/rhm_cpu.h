#pragma once
// CPU kernels for the N_s x N_t passes of RHM. They walk the similarity matrix row by row: no N_s x N_t index
// tensor and no N_s x n_bins buffer.
//
// Kept source and target positions are rectangles of their base grids in row-major order (the margin rule is
// separable), so the Hough bin of (i, j) is bin_y(row of i, row of j) * bins_x + bin_x(column of i, column of
// j): two small tables. Votes of all source rows of one source column go into a (bins_y x target columns)
// accumulator with plain vector adds, and only that accumulator is scattered into the histogram, once per
// source column.

#include "core/compute/rhm.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace hpf::detail {

struct VoteGrid {
  int64_t source_rows = 0, source_cols = 0;  // the kept source rectangle: i = row * source_cols + col
  int64_t target_rows = 0, target_cols = 0;  // the kept target rectangle: j = row * target_cols + col
  int64_t bins_x = 0, bins_y = 0;
  std::vector<int32_t> bin_x;  // (source_cols, target_cols)
  std::vector<int32_t> bin_y;  // (source_rows, target_rows)

  const int32_t* x_bins(int64_t source_col) const { return bin_x.data() + source_col * target_cols; }
  const int32_t* y_bins(int64_t source_row) const { return bin_y.data() + source_row * target_rows; }
};

// The tables of a correlation; throws std::logic_error when the kept centres are not a row-major rectangle.
VoteGrid vote_grid(const Correlation& correlation);

// Runs `finish_row(i)` for every source row on LibTorch's threads, a fixed number of source columns per task
// (so the sums do not depend on the thread count), and returns the weighted histogram of their votes, (bins,)
// float32. `finish_row` returns the row's N_t similarities, which must stay valid until it is called again.
// The rows of one source column are visited in increasing order by one thread, one column after another.
// `row_max` receives an (N_s, target_rows) float32 tensor: the largest similarity of each source row within
// each kept target row (the bounds of hough_kernel::argmax_confidence_pruned).
at::Tensor histogram_by_columns(const VoteGrid& grid, const std::function<const float*(int64_t)>& finish_row,
                                at::Tensor* row_max);

// Weighted histogram of all votes of a finished similarity matrix, and its row maxima (Correlation::row_max).
at::Tensor hough_histogram_cpu(const Correlation& correlation, at::Tensor* row_max);

// argmax_j S(i, j) * H~[bin(i, j)] and its value; ties keep the first j, as torch.max does. With the
// correlation's row maxima, target rows that cannot hold the maximum are skipped (same result).
BestMatches best_matches_cpu(const Correlation& correlation);

// Factorised similarity (similarity_factorized.cpp) with the Hough votes of each row accumulated as soon as
// the row is finished, while it is still in cache; also fills the row maxima.
at::Tensor factorized_similarity_with_votes(const Hyperpixels& source, const Hyperpixels& target,
                                            double exponent, const VoteGrid& grid, at::Tensor* histogram,
                                            at::Tensor* row_max);

}  // namespace hpf::detail
