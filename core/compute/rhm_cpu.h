#pragma once
// CPU kernels for the two N_s x N_t passes of RHM (voting and the confidence argmax). They walk the similarity
// matrix once, looking bins up from the per-axis tables, with no N_s x N_t index tensor at all.

#include "core/compute/rhm.h"

namespace hpf::detail {

// Weighted histogram of all votes, (bins,) float32.
at::Tensor hough_histogram_cpu(const Correlation& correlation);

// argmax_j S(i, j) * H~[bin(i, j)] and its value; ties keep the first j, as torch.max does.
BestMatches best_matches_cpu(const Correlation& correlation);

}  // namespace hpf::detail
