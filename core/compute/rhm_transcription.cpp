#include "core/compute/rhm_transcription.h"

#include <ATen/ATen.h>

#include <chrono>

namespace hpf {

BestMatches rhm_transcription(const Hyperpixels& source, const Hyperpixels& target, const RhmOptions& options,
                              RhmTimings* timings) {
  using clock = std::chrono::steady_clock;
  auto ms = [](clock::time_point since) {
    return std::chrono::duration<double, std::milli>(clock::now() - since).count();
  };
  auto start = clock::now();
  const at::Tensor votes = appearance_similarity(source.features, target.features, options.exponent);
  if (timings) timings->similarity_ms += ms(start);

  start = clock::now();
  const HoughSpace space = hough_space(source.image_width, source.image_height, target.image_width,
                                       target.image_height, options.ncells);
  const at::Tensor src_ref =
      at::tensor({static_cast<float>(source.image_width), static_cast<float>(source.image_height)});
  // xy_vote = (ref - centre_i) + centre'_j, as an (N_s, 2, N_t) tensor; bins truncated per axis.
  const at::Tensor xy = (src_ref.unsqueeze(0) - source.centers).unsqueeze(2).repeat({1, 1, target.size()}) +
                        target.centers.t().unsqueeze(0).repeat({source.size(), 1, 1});
  const at::Tensor bins2 = xy.div(space.cell_size).to(at::kLong);
  const at::Tensor bin_ids = bins2.select(1, 0) + bins2.select(1, 1) * space.bins_x;
  // The N_s x n_bins buffer of the reference, filled with one index_add and summed over sources.
  at::Tensor buffer = at::zeros({source.size(), space.bins()});
  const at::Tensor flat = bin_ids + at::arange(source.size()).mul(space.bins()).unsqueeze(1);
  buffer = buffer.view(-1).index_add(0, flat.view(-1), votes.reshape(-1)).view({source.size(), space.bins()});
  const at::Tensor histogram = buffer.sum(0);
  if (timings) timings->voting_ms += ms(start);

  start = clock::now();
  const at::Tensor kernel = gaussian_kernel(options.kernel_size).view({1, 1, options.kernel_size, -1});
  const at::Tensor smoothed =
      at::conv2d(histogram.view({1, 1, space.bins_y, space.bins_x}), kernel, {}, 1, options.kernel_size / 2).view(-1);
  if (timings) timings->smoothing_ms += ms(start);

  start = clock::now();
  const at::Tensor confidence = votes * smoothed.index_select(0, bin_ids.view(-1)).view_as(votes);
  const auto [value, index] = at::max(confidence, 1);
  if (timings) timings->argmax_ms += ms(start);
  return {index, value};
}

}  // namespace hpf
