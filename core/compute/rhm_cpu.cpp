#include "core/compute/rhm_cpu.h"

#include "core/compute/hough_kernels.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace hpf::detail {
namespace {

// Tasks per histogram: each has its own accumulator and histogram, summed in task order at the end.
constexpr int64_t kVoteTasks = 16;

// The columns' x and the rows' y of a row-major rectangle of integer centres, (N, 2) int32 on CPU.
struct Rectangle {
  std::vector<int32_t> x, y;
};

Rectangle rectangle_of(const at::Tensor& centers) {
  const at::Tensor c = centers.to(at::kCPU).to(at::kInt).contiguous();
  const auto p = c.accessor<int32_t, 2>();
  const int64_t n = c.size(0);
  Rectangle r;
  if (n == 0) return r;
  int64_t cols = 1;
  while (cols < n && p[cols][1] == p[0][1]) ++cols;
  if (n % cols != 0) throw std::logic_error("RHM: kept hyperpixels are not a rectangle of the grid");
  for (int64_t k = 0; k < cols; ++k) r.x.push_back(p[k][0]);
  for (int64_t k = 0; k < n; k += cols) r.y.push_back(p[k][1]);
  for (int64_t k = 0; k < n; ++k) {
    if (p[k][0] != r.x[k % cols] || p[k][1] != r.y[k / cols]) {
      throw std::logic_error("RHM: kept hyperpixels are not a rectangle of the grid");
    }
  }
  return r;
}

// bins[a * b_values.size() + b] = lut[(size - a_value) - offset + b_value]: the bins of the votes of every
// source coordinate a against every target coordinate b along one axis.
std::vector<int32_t> axis_bins(const std::vector<int32_t>& source, const std::vector<int32_t>& target,
                               int size, int64_t offset, const at::Tensor& lut) {
  const at::Tensor table = lut.to(at::kCPU).contiguous();
  const int64_t* l = table.data_ptr<int64_t>();
  std::vector<int32_t> bins;
  bins.reserve(source.size() * target.size());
  for (const int32_t a : source) {
    for (const int32_t b : target) bins.push_back(static_cast<int32_t>(l[size - a - offset + b]));
  }
  return bins;
}

}  // namespace

VoteGrid vote_grid(const Correlation& c) {
  const Rectangle source = rectangle_of(c.source_centers);
  const Rectangle target = rectangle_of(c.target_centers);
  VoteGrid g;
  g.source_rows = static_cast<int64_t>(source.y.size());
  g.source_cols = static_cast<int64_t>(source.x.size());
  g.target_rows = static_cast<int64_t>(target.y.size());
  g.target_cols = static_cast<int64_t>(target.x.size());
  g.bins_x = c.space.bins_x;
  g.bins_y = c.space.bins_y;
  g.bin_x = axis_bins(source.x, target.x, c.src_width, c.offset_x, c.bin_lut_x);
  g.bin_y = axis_bins(source.y, target.y, c.src_height, c.offset_y, c.bin_lut_y);
  return g;
}

at::Tensor histogram_by_columns(const VoteGrid& g, const std::function<const float*(int64_t)>& finish_row,
                                at::Tensor* row_max_out) {
  *row_max_out =
      at::empty({g.source_rows * g.source_cols, g.target_rows}, at::TensorOptions().dtype(at::kFloat));
  float* row_max = row_max_out->data_ptr<float>();
  const int64_t bins = g.bins_x * g.bins_y;
  const int64_t tasks = std::min(kVoteTasks, g.source_cols);
  at::Tensor partial = at::zeros({tasks, bins}, at::TensorOptions().dtype(at::kFloat));
  if (g.source_rows == 0 || g.target_rows == 0) return partial.sum(0);
  float* histograms = partial.data_ptr<float>();
  at::parallel_for(0, tasks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> accumulator(static_cast<size_t>(g.bins_y * g.target_cols), 0.0f);
    float* acc = accumulator.data();
    for (int64_t task = begin; task < end; ++task) {
      float* hist = histograms + task * bins;
      for (int64_t col = task * g.source_cols / tasks; col < (task + 1) * g.source_cols / tasks; ++col) {
        int64_t first = g.bins_y, last = -1;
        for (int64_t row = 0; row < g.source_rows; ++row) {
          const int64_t i = row * g.source_cols + col;
          const float* similarity = finish_row(i);
          const int32_t* by = g.y_bins(row);
          for (int64_t t = 0; t < g.target_rows; ++t) {
            row_max[i * g.target_rows + t] = hough_kernel::add_row_max(
                similarity + t * g.target_cols, g.target_cols, acc + by[t] * g.target_cols);
            first = std::min<int64_t>(first, by[t]);
            last = std::max<int64_t>(last, by[t]);
          }
        }
        hough_kernel::flush_accumulator(acc, first, last, g.target_cols, g.x_bins(col), g.bins_x, hist);
      }
    }
  });
  return partial.sum(0);
}

at::Tensor hough_histogram_cpu(const Correlation& c, at::Tensor* row_max) {
  const at::Tensor sim = c.similarity.contiguous();
  const int64_t cols = sim.size(1);
  const float* s = sim.data_ptr<float>();
  return histogram_by_columns(
      vote_grid(c), [&](int64_t i) { return s + i * cols; }, row_max);
}

BestMatches best_matches_cpu(const Correlation& c) {
  const VoteGrid g = vote_grid(c);
  const at::Tensor sim = c.similarity.contiguous();
  const at::Tensor hough = c.hough.contiguous().view(-1);
  const int64_t rows = sim.size(0), cols = sim.size(1);
  BestMatches best;
  best.target_index = at::empty({rows}, at::TensorOptions().dtype(at::kLong));
  best.confidence = at::empty({rows}, at::TensorOptions().dtype(at::kFloat));
  int64_t* index = best.target_index.data_ptr<int64_t>();
  float* value = best.confidence.data_ptr<float>();
  const float* s = sim.data_ptr<float>();
  const float* h = hough.data_ptr<float>();
  // Source column by source column: the smoothed histogram is first expanded through the column's x bins
  // (bins_y x target columns), so the N_s x N_t pass reads it contiguously instead of gathering.
  const bool pruned = c.row_max.defined();
  if (pruned && (c.row_max.size(0) != rows || c.row_max.size(1) != g.target_rows)) {
    throw std::logic_error("RHM: row maxima do not match the similarity");
  }
  const at::Tensor maxima = pruned ? c.row_max.contiguous() : at::Tensor();
  const float* row_max = pruned ? maxima.data_ptr<float>() : nullptr;
  at::parallel_for(0, g.source_cols, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> expanded(static_cast<size_t>(g.bins_y * g.target_cols));
    std::vector<float> expanded_max(static_cast<size_t>(g.bins_y));
    for (int64_t col = begin; col < end; ++col) {
      const int32_t* bx = g.x_bins(col);
      for (int64_t y = 0; y < g.bins_y; ++y) {
        float largest = -std::numeric_limits<float>::infinity();
        for (int64_t x = 0; x < g.target_cols; ++x) {
          const float v = h[y * g.bins_x + bx[x]];
          expanded[y * g.target_cols + x] = v;
          if (v > largest) largest = v;
        }
        expanded_max[y] = largest;
      }
      for (int64_t row = 0; row < g.source_rows; ++row) {
        const int64_t i = row * g.source_cols + col;
        index[i] = pruned ? hough_kernel::argmax_confidence_pruned(
                                s + i * cols, g.y_bins(row), g.target_rows, g.target_cols, g.target_cols,
                                expanded.data(), expanded_max.data(), row_max + i * g.target_rows, value + i)
                          : hough_kernel::argmax_confidence(s + i * cols, g.y_bins(row), g.target_rows,
                                                            g.target_cols, /*bin_x=*/nullptr, g.target_cols,
                                                            expanded.data(), value + i);
      }
    }
  });
  return best;
}

}  // namespace hpf::detail
