#pragma once
// A straightforward transcription of the published RHM (correlation -> N_s x n_bins vote buffer -> sum ->
// smoothing -> full confidence matrix -> argmax). Not used by the product: it is the baseline that `hpf bench`
// measures against and that tests compare the optimised kernels with.

#include "core/compute/hyperpixels.h"
#include "core/compute/rhm.h"

namespace hpf {

// Best target per source hyperpixel, as the reference computes it, from the concatenated features.
BestMatches rhm_transcription(const Hyperpixels& source, const Hyperpixels& target, const RhmOptions& options,
                              RhmTimings* timings = nullptr);

}  // namespace hpf
