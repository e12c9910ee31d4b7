#include "core/compute/rhm_cpu.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <limits>
#include <vector>

namespace hpf::detail {
namespace {

// Per-hyperpixel integer parts of the vote (W_s - cx_i) + cx'_j, shifted so the LUT index starts at 0.
struct VoteTables {
  std::vector<int32_t> src_x, src_y, trg_x, trg_y;
  at::Tensor lut_x, lut_y;  // int64 on CPU
};

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
  t.lut_y = (c.bin_lut_y.to(at::kCPU) * c.space.bins_x).contiguous();  // rows pre-multiplied by bins_x
  return t;
}

}  // namespace

at::Tensor hough_histogram_cpu(const Correlation& c) {
  const VoteTables t = vote_tables(c);
  const at::Tensor sim = c.similarity.contiguous();
  const int64_t rows = sim.size(0), cols = sim.size(1), bins = c.space.bins();
  const float* s = sim.data_ptr<float>();
  const int64_t* lx = t.lut_x.data_ptr<int64_t>();
  const int64_t* ly = t.lut_y.data_ptr<int64_t>();

  // One private histogram per task, summed at the end: no atomics in the inner loop.
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads() * 4, rows));
  at::Tensor partial = at::zeros({tasks, bins}, at::TensorOptions().dtype(at::kFloat));
  float* p = partial.data_ptr<float>();
  at::parallel_for(0, tasks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      float* hist = p + task * bins;
      for (int64_t i = task * rows / tasks; i < (task + 1) * rows / tasks; ++i) {
        const int32_t bx = t.src_x[i], by = t.src_y[i];
        const float* row = s + i * cols;
        for (int64_t j = 0; j < cols; ++j) hist[lx[bx + t.trg_x[j]] + ly[by + t.trg_y[j]]] += row[j];
      }
    }
  });
  return partial.sum(0);
}

BestMatches best_matches_cpu(const Correlation& c) {
  const VoteTables t = vote_tables(c);
  const at::Tensor sim = c.similarity.contiguous();
  const at::Tensor hough = c.hough.contiguous().view(-1);
  const int64_t rows = sim.size(0), cols = sim.size(1);
  const float* s = sim.data_ptr<float>();
  const float* h = hough.data_ptr<float>();
  const int64_t* lx = t.lut_x.data_ptr<int64_t>();
  const int64_t* ly = t.lut_y.data_ptr<int64_t>();
  BestMatches best;
  best.target_index = at::empty({rows}, at::TensorOptions().dtype(at::kLong));
  best.confidence = at::empty({rows}, at::TensorOptions().dtype(at::kFloat));
  int64_t* index = best.target_index.data_ptr<int64_t>();
  float* value = best.confidence.data_ptr<float>();
  at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int32_t bx = t.src_x[i], by = t.src_y[i];
      const float* row = s + i * cols;
      float best_value = -std::numeric_limits<float>::infinity();
      int64_t best_j = 0;
      for (int64_t j = 0; j < cols; ++j) {
        const float confidence = row[j] * h[lx[bx + t.trg_x[j]] + ly[by + t.trg_y[j]]];
        if (confidence > best_value) {
          best_value = confidence;
          best_j = j;
        }
      }
      index[i] = best_j;
      value[i] = best_value;
    }
  });
  return best;
}

}  // namespace hpf::detail
