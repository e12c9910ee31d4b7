#pragma once
// CPU kernels for the N_s x N_t passes of RHM. They walk the similarity matrix row by row, looking Hough bins up
// from per-axis tables: no N_s x N_t index tensor and no N_s x n_bins buffer.

#include "core/compute/rhm.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace hpf::detail {

// The integer parts of a vote (W_s - cx_i) + cx'_j, shifted so the LUT index starts at 0, and the LUTs
// (bins_x already folded into the y table).
struct VoteTables {
  std::vector<int32_t> src_x, src_y, trg_x, trg_y;
  at::Tensor lut_x, lut_y;  // int64 on CPU

  int64_t bin(int64_t i, int64_t j) const {
    return lut_x.data_ptr<int64_t>()[src_x[i] + trg_x[j]] + lut_y.data_ptr<int64_t>()[src_y[i] + trg_y[j]];
  }
};
VoteTables vote_tables(const Correlation& correlation);

// hist[bin(i, j)] += row[j] for one source row.
void vote_row(const VoteTables& tables, int64_t i, const float* row, int64_t cols, float* hist);

// Weighted histogram of all votes of a finished similarity matrix, (bins,) float32.
at::Tensor hough_histogram_cpu(const Correlation& correlation);

// argmax_j S(i, j) * H~[bin(i, j)] and its value; ties keep the first j, as torch.max does.
BestMatches best_matches_cpu(const Correlation& correlation);

// Runs `row_task(i, hist)` for every source row on LibTorch's threads, each task with a private histogram of
// `bins` floats; returns their sum.
at::Tensor rows_with_histogram(int64_t rows, int64_t bins, const std::function<void(int64_t, float*)>& row_task);

}  // namespace hpf::detail

namespace hpf::detail {

// Factorised similarity (rhm_factorized.cpp) with the Hough votes of each row accumulated as soon as the row is
// finished, while it is still in cache. CPU only.
at::Tensor factorized_similarity_with_votes(const Hyperpixels& source, const Hyperpixels& target, double exponent,
                                            const VoteTables& votes, int64_t bins, at::Tensor* histogram);

}  // namespace hpf::detail
