#include "core/compute/rhm_cpu.h"

#include "core/compute/simd.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <limits>

namespace hpf::detail {
namespace {

HPF_SIMD_CLONES
void vote_row_kernel(const int64_t* lx, const int64_t* ly, const int32_t* tx, const int32_t* ty, int32_t bx,
                     int32_t by, const float* row, int64_t cols, float* hist) {
  for (int64_t j = 0; j < cols; ++j) hist[lx[bx + tx[j]] + ly[by + ty[j]]] += row[j];
}

HPF_SIMD_CLONES
int64_t argmax_row_kernel(const int64_t* lx, const int64_t* ly, const int32_t* tx, const int32_t* ty, int32_t bx,
                          int32_t by, const float* row, int64_t cols, const float* hough, float* best_value) {
  float best = -std::numeric_limits<float>::infinity();
  int64_t best_j = 0;
  for (int64_t j = 0; j < cols; ++j) {
    const float confidence = row[j] * hough[lx[bx + tx[j]] + ly[by + ty[j]]];
    if (confidence > best) {
      best = confidence;
      best_j = j;
    }
  }
  *best_value = best;
  return best_j;
}

}  // namespace

VoteTables vote_tables(const Correlation& c) {
  VoteTables t;
  const at::Tensor src = c.source_centers.to(at::kCPU).to(at::kInt).contiguous();
  const at::Tensor trg = c.target_centers.to(at::kCPU).to(at::kInt).contiguous();
  const auto s = src.accessor<int32_t, 2>();
  const auto r = trg.accessor<int32_t, 2>();
  for (int64_t i = 0; i < src.size(0); ++i) {
    t.src_x.push_back(c.src_width - s[i][0] - static_cast<int32_t>(c.offset_x));
    t.src_y.push_back(c.src_height - s[i][1] - static_cast<int32_t>(c.offset_y));
  }
  for (int64_t j = 0; j < trg.size(0); ++j) {
    t.trg_x.push_back(r[j][0]);
    t.trg_y.push_back(r[j][1]);
  }
  t.lut_x = c.bin_lut_x.to(at::kCPU).contiguous();
  t.lut_y = (c.bin_lut_y.to(at::kCPU) * c.space.bins_x).contiguous();
  return t;
}

void vote_row(const VoteTables& t, int64_t i, const float* row, int64_t cols, float* hist) {
  vote_row_kernel(t.lut_x.data_ptr<int64_t>(), t.lut_y.data_ptr<int64_t>(), t.trg_x.data(), t.trg_y.data(),
                  t.src_x[i], t.src_y[i], row, cols, hist);
}

at::Tensor rows_with_histogram(int64_t rows, int64_t bins, const std::function<void(int64_t, float*)>& row_task) {
  // One private histogram per task, summed at the end: no atomics in the inner loops.
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads() * 4, rows));
  at::Tensor partial = at::zeros({tasks, bins}, at::TensorOptions().dtype(at::kFloat));
  float* p = partial.data_ptr<float>();
  at::parallel_for(0, tasks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      for (int64_t i = task * rows / tasks; i < (task + 1) * rows / tasks; ++i) row_task(i, p + task * bins);
    }
  });
  return partial.sum(0);
}

at::Tensor hough_histogram_cpu(const Correlation& c) {
  const VoteTables t = vote_tables(c);
  const at::Tensor sim = c.similarity.contiguous();
  const int64_t cols = sim.size(1);
  const float* s = sim.data_ptr<float>();
  return rows_with_histogram(sim.size(0), c.space.bins(),
                             [&](int64_t i, float* hist) { vote_row(t, i, s + i * cols, cols, hist); });
}

BestMatches best_matches_cpu(const Correlation& c) {
  const VoteTables t = vote_tables(c);
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
  at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      index[i] = argmax_row_kernel(t.lut_x.data_ptr<int64_t>(), t.lut_y.data_ptr<int64_t>(), t.trg_x.data(),
                                   t.trg_y.data(), t.src_x[i], t.src_y[i], s + i * cols, cols, h, value + i);
    }
  });
  return best;
}

}  // namespace hpf::detail
