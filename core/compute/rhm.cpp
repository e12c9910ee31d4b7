#include "core/compute/rhm.h"

#include "core/compute/rhm_cpu.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace hpf {
namespace {

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

// Rows per chunk so that a chunk's int64 bin ids stay around 32 MB.
int64_t chunk_rows(int64_t columns) {
  return std::max<int64_t>(1, (int64_t{4} << 20) / std::max<int64_t>(1, columns));
}

// Vote values are integers (centres are integers), so truncated bin coordinates are a lookup table over the
// integer range of votes. Dividing in float32 by the float32 cell size reproduces the reference's rounding.
at::Tensor bin_lut(int64_t lowest, int64_t highest, double cell_size, const at::TensorOptions& options) {
  return at::arange(lowest, highest + 1, options.dtype(at::kFloat)).div(cell_size).to(at::kLong);
}

}  // namespace

HoughSpace hough_space(int src_width, int src_height, int trg_width, int trg_height, int64_t ncells) {
  if (ncells < 1) throw std::invalid_argument("RHM: ncells must be positive");
  HoughSpace space;
  const double width = static_cast<double>(src_width) + trg_width;
  const double height = static_cast<double>(src_height) + trg_height;
  space.cell_size = std::sqrt((width * height) / static_cast<double>(ncells));
  space.bins_x = static_cast<int64_t>(width / space.cell_size) + 1;
  space.bins_y = static_cast<int64_t>(height / space.cell_size) + 1;
  return space;
}

at::Tensor gaussian_kernel(int64_t side) {
  if (side < 1 || side % 2 == 0) throw std::invalid_argument("RHM: the Gaussian kernel size must be odd");
  const auto options = at::TensorOptions().dtype(at::kFloat);
  const at::Tensor sigma_sq = at::full({}, static_cast<float>(side), options).div(2).div(2.354).pow(2);
  const int64_t half = (side - 1) / 2;
  const at::Tensor axis = at::arange(-half, half + 1, options);
  const at::Tensor x = axis.unsqueeze(0).expand({side, side});
  const at::Tensor y = axis.unsqueeze(1).expand({side, side});
  const at::Tensor g = at::exp(-(x.pow(2).div(2).div(sigma_sq) + y.pow(2).div(2).div(sigma_sq)));
  return g / g.sum();
}

at::Tensor appearance_similarity(const at::Tensor& source_features, const at::Tensor& target_features,
                                 double exponent) {
  const at::Tensor source_norms = at::norm(source_features, 2, {1}).unsqueeze(1);
  const at::Tensor target_norms = at::norm(target_features, 2, {1}).unsqueeze(0);
  at::Tensor sim =
      at::matmul(source_features, target_features.t()).div_(at::matmul(source_norms, target_norms));
  sim.clamp_min_(0);
  if (exponent != 1.0) sim.pow_(exponent);
  return sim;
}

at::Tensor Correlation::bin_ids(int64_t begin, int64_t end) const {
  const at::Tensor src = source_centers.slice(0, begin, end);
  const at::Tensor vote_x = (static_cast<float>(src_width) - src.select(1, 0)).unsqueeze(1) +
                            target_centers.select(1, 0).unsqueeze(0);
  const at::Tensor vote_y = (static_cast<float>(src_height) - src.select(1, 1)).unsqueeze(1) +
                            target_centers.select(1, 1).unsqueeze(0);
  const at::Tensor bx = bin_lut_x.index({vote_x.to(at::kLong) - offset_x});
  const at::Tensor by = bin_lut_y.index({vote_y.to(at::kLong) - offset_y});
  return bx + by * space.bins_x;
}

at::Tensor Correlation::confidence_rows(int64_t begin, int64_t end) const {
  const at::Tensor rows = similarity.slice(0, begin, end);
  if (!hough.defined()) return rows;
  return rows * hough.view(-1).index({bin_ids(begin, end)});
}

namespace {

at::Tensor histogram_by_chunks(const Correlation& c) {
  at::Tensor histogram = at::zeros({c.space.bins()}, c.similarity.options());
  const int64_t rows = c.similarity.size(0);
  const int64_t step = chunk_rows(c.similarity.size(1));
  for (int64_t begin = 0; begin < rows; begin += step) {
    const int64_t end = std::min(rows, begin + step);
    histogram.index_add_(0, c.bin_ids(begin, end).view(-1), c.similarity.slice(0, begin, end).reshape(-1));
  }
  return histogram;
}

}  // namespace

void set_hough_geometry(const Hyperpixels& source, const Hyperpixels& target, const RhmOptions& options,
                        const at::Device device, Correlation& c) {
  c.src_width = source.image_width;
  c.src_height = source.image_height;
  c.space = hough_space(source.image_width, source.image_height, target.image_width, target.image_height,
                        options.ncells);
  c.source_centers = source.centers.to(device);
  c.target_centers = target.centers.to(device);
  // The integer range every vote can take: (W_s - cx_i) + cx'_j.
  const auto range = [](const at::Tensor& src, const at::Tensor& trg, int size, int axis) {
    const int64_t lo =
        size - src.select(1, axis).max().item<int64_t>() + trg.select(1, axis).min().item<int64_t>();
    const int64_t hi =
        size - src.select(1, axis).min().item<int64_t>() + trg.select(1, axis).max().item<int64_t>();
    return std::make_pair(lo, hi);
  };
  const auto [lo_x, hi_x] = range(source.centers, target.centers, source.image_width, 0);
  const auto [lo_y, hi_y] = range(source.centers, target.centers, source.image_height, 1);
  const auto lut_options = at::TensorOptions().device(device);
  c.offset_x = lo_x;
  c.offset_y = lo_y;
  c.bin_lut_x = bin_lut(lo_x, hi_x, c.space.cell_size, lut_options);
  c.bin_lut_y = bin_lut(lo_y, hi_y, c.space.cell_size, lut_options);
  const auto lut_in_range = [](const at::Tensor& lut, int64_t bins) {
    return lut.min().item<int64_t>() >= 0 && lut.max().item<int64_t>() < bins;
  };
  if (!lut_in_range(c.bin_lut_x, c.space.bins_x) || !lut_in_range(c.bin_lut_y, c.space.bins_y)) {
    throw std::runtime_error(
        "RHM: a translation vote falls outside the Hough space (boxes far outside the image)");
  }
}

at::Tensor vote_histogram(Correlation& c) {
  return c.similarity.device().is_cpu() ? detail::hough_histogram_cpu(c, &c.row_max) : histogram_by_chunks(c);
}

void smooth_hough(Correlation& c, const at::Tensor& histogram, int64_t kernel_size) {
  const at::Tensor kernel = gaussian_kernel(kernel_size).to(histogram.device()).view({1, 1, kernel_size, -1});
  c.hough = at::conv2d(histogram.view({1, 1, c.space.bins_y, c.space.bins_x}), kernel, {}, 1, kernel_size / 2)
                .view({c.space.bins_y, c.space.bins_x});
}

Correlation regularized_hough_matching(const Hyperpixels& source, const Hyperpixels& target,
                                       const RhmOptions& options, RhmTimings* timings) {
  auto start = std::chrono::steady_clock::now();
  Correlation c;
  const at::Device device = source.layer_maps.front().device();
  if (!options.hough_voting) {
    c.similarity = options.factorized_similarity
                       ? factorized_similarity(source, target, options.exponent)
                       : appearance_similarity(source.features, target.features, options.exponent);
    if (timings) timings->similarity_ms += elapsed_ms(start);
    return c;
  }
  set_hough_geometry(source, target, options, device, c);

  // Weighted histogram of votes. CPU + factorised: accumulated while each similarity row is produced
  // (reported as similarity time); otherwise a direct pass over the finished matrix (CPU) or chunks of bin
  // ids (GPU).
  at::Tensor histogram;
  if (device.is_cpu() && options.factorized_similarity) {
    c.similarity = detail::factorized_similarity_with_votes(source, target, options.exponent,
                                                            detail::vote_grid(c), &histogram, &c.row_max);
    if (timings) timings->similarity_ms += elapsed_ms(start);
  } else {
    c.similarity = options.factorized_similarity
                       ? factorized_similarity(source, target, options.exponent)
                       : appearance_similarity(source.features, target.features, options.exponent);
    if (timings) timings->similarity_ms += elapsed_ms(start);
    start = std::chrono::steady_clock::now();
    histogram = vote_histogram(c);
    if (timings) timings->voting_ms += elapsed_ms(start);
  }

  start = std::chrono::steady_clock::now();
  smooth_hough(c, histogram, options.kernel_size);
  if (timings) timings->smoothing_ms += elapsed_ms(start);
  return c;
}

BestMatches best_matches(const Correlation& correlation, RhmTimings* timings) {
  const auto start = std::chrono::steady_clock::now();
  if (correlation.hough.defined() && correlation.similarity.device().is_cpu()) {
    BestMatches best = detail::best_matches_cpu(correlation);
    if (timings) timings->argmax_ms += elapsed_ms(start);
    return best;
  }
  const int64_t rows = correlation.similarity.size(0);
  const int64_t step = chunk_rows(correlation.similarity.size(1));
  std::vector<at::Tensor> values, indices;
  for (int64_t begin = 0; begin < rows; begin += step) {
    const auto [value, index] = at::max(correlation.confidence_rows(begin, std::min(rows, begin + step)), 1);
    values.push_back(value);
    indices.push_back(index);
  }
  BestMatches best;
  best.confidence = at::cat(values);
  best.target_index = at::cat(indices);
  if (timings) timings->argmax_ms += elapsed_ms(start);
  return best;
}

}  // namespace hpf
