// The vectorised Hough kernels against plain loops: the argmax's first-of-equal-maxima rule across SIMD lanes
// and row tails, NaN handling, the pruned argmax against the full scan, and the column-accumulator histogram
// against a direct bincount.
#include "core/compute/hough_kernels.h"
#include "core/compute/rhm.h"
#include "core/compute/rhm_cpu.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace hpf {
namespace {

// RHM with the similarity computed as the reference does (from the concatenated features), the formulation
// these tests compare against.
RhmOptions reference_similarity() {
  RhmOptions options;
  options.factorized_similarity = false;
  return options;
}

struct Plain {
  int64_t index = 0;
  float value = -std::numeric_limits<float>::infinity();
};

Plain plain_argmax(const std::vector<float>& row, const std::vector<int32_t>& bin_y, int64_t width,
                   const std::vector<int32_t>& bin_x, int64_t bins_x, const std::vector<float>& hough) {
  Plain best;
  for (size_t t = 0; t < bin_y.size(); ++t) {
    for (int64_t x = 0; x < width; ++x) {
      const float c = row[t * width + x] * hough[bin_y[t] * bins_x + bin_x[x]];
      if (c > best.value) best = {static_cast<int64_t>(t) * width + x, c};
    }
  }
  return best;
}

TEST(HoughKernels, ArgmaxKeepsTheFirstOfEqualMaximaAcrossLanesAndTails) {
  std::mt19937 random(5);
  // Widths below, at and above one 8-lane vector, with tails; values from a tiny set so ties are everywhere.
  for (const int64_t width : {3, 8, 13, 16, 21}) {
    for (int trial = 0; trial < 50; ++trial) {
      const int64_t rows = 1 + trial % 5, bins_x = width + 4, bins_y = rows + 3;
      std::vector<int32_t> bin_x(width), bin_y(rows);
      for (int64_t x = 0; x < width; ++x) bin_x[x] = static_cast<int32_t>((x + trial) % bins_x);
      for (int64_t t = 0; t < rows; ++t) bin_y[t] = static_cast<int32_t>(t + trial % 3);
      std::vector<float> hough(bins_x * bins_y), row(rows * width);
      for (float& h : hough) h = static_cast<float>(random() % 3);
      for (float& r : row) r = static_cast<float>(random() % 3) * 0.5f;
      const Plain expected = plain_argmax(row, bin_y, width, bin_x, bins_x, hough);
      float value = 0;
      const int64_t index = hough_kernel::argmax_confidence(row.data(), bin_y.data(), rows, width,
                                                            bin_x.data(), bins_x, hough.data(), &value);
      ASSERT_EQ(index, expected.index) << "width " << width << " trial " << trial;
      ASSERT_EQ(value, expected.value);
    }
  }
}

TEST(HoughKernels, ArgmaxNeverChoosesNanAndAllZeroRowsGiveTheFirstTarget) {
  const int64_t width = 11;
  std::vector<int32_t> bin_x(width, 0), bin_y(2, 0);
  std::vector<float> hough = {1.0f};
  std::vector<float> row(2 * width, 0.0f);
  float value = -1;
  EXPECT_EQ(hough_kernel::argmax_confidence(row.data(), bin_y.data(), 2, width, bin_x.data(), 1, hough.data(),
                                            &value),
            0);
  EXPECT_EQ(value, 0.0f);
  row[3] = std::nanf("");
  row[9] = std::nanf("");  // in the tail of the first target row
  row[17] = 0.25f;
  EXPECT_EQ(hough_kernel::argmax_confidence(row.data(), bin_y.data(), 2, width, bin_x.data(), 1, hough.data(),
                                            &value),
            17);
  EXPECT_EQ(value, 0.25f);
}

TEST(HoughKernels, AddRowMaxAddsAndReturnsTheLargestIgnoringNan) {
  for (const int64_t n : {0, 1, 7, 8, 9, 23}) {
    std::vector<float> src(n), dst(n, 1.0f);
    for (int64_t x = 0; x < n; ++x) src[x] = static_cast<float>((x * 7) % 5) - 1.0f;
    if (n > 3) src[3] = std::nanf("");
    if (n > 0) src[n - 1] = 9.0f;  // in the tail, or the only value
    const float best = hough_kernel::add_row_max(src.data(), n, dst.data());
    EXPECT_EQ(best, n > 0 ? 9.0f : -std::numeric_limits<float>::infinity()) << n;
    for (int64_t x = 0; x < n; ++x) {
      if (x == 3 && n > 3) {
        EXPECT_TRUE(std::isnan(dst[x]));
      } else {
        EXPECT_EQ(dst[x], src[x] + 1.0f);
      }
    }
  }
}

// Largest finite value of each row of a table (NaN ignored), as the RHM code derives the pruning bounds.
std::vector<float> row_maxima(const std::vector<float>& values, int64_t rows, int64_t width) {
  std::vector<float> out(rows, -std::numeric_limits<float>::infinity());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t x = 0; x < width; ++x) {
      if (values[r * width + x] > out[r]) out[r] = values[r * width + x];
    }
  }
  return out;
}

TEST(HoughKernels, PrunedArgmaxEqualsTheFullScan) {
  std::mt19937 random(11);
  for (const int64_t width : {3, 8, 13, 21, 70}) {
    for (int trial = 0; trial < 200; ++trial) {
      const int64_t rows = 1 + trial % 9, bins_y = rows + 2;
      std::vector<int32_t> bin_y(rows);
      for (int64_t t = 0; t < rows; ++t) bin_y[t] = static_cast<int32_t>((t + trial) % bins_y);
      // Small value sets so that equal maxima across target rows are common; some tables negative or NaN.
      std::vector<float> table(bins_y * width), row(rows * width);
      for (float& h : table) h = static_cast<float>(random() % 4) - (trial % 7 == 0 ? 2.0f : 0.0f);
      for (float& r : row) r = static_cast<float>(random() % 3) * 0.5f;
      if (trial % 5 == 0) row[random() % row.size()] = std::nanf("");
      if (trial % 11 == 0) table[random() % table.size()] = std::nanf("");
      const std::vector<float> table_max = row_maxima(table, bins_y, width);
      const std::vector<float> row_max = row_maxima(row, rows, width);
      float full_value = 0, pruned_value = 0;
      const int64_t full = hough_kernel::argmax_confidence(row.data(), bin_y.data(), rows, width, nullptr,
                                                           width, table.data(), &full_value);
      const int64_t pruned =
          hough_kernel::argmax_confidence_pruned(row.data(), bin_y.data(), rows, width, width, table.data(),
                                                 table_max.data(), row_max.data(), &pruned_value);
      ASSERT_EQ(pruned, full) << "width " << width << " trial " << trial;
      ASSERT_EQ(pruned_value, full_value);
    }
  }
}

Hyperpixels grid_hyperpixels(int width, int height, uint64_t seed) {
  at::manual_seed(seed);
  LayerInfo info;
  info.id = 2;
  info.jump = 4;
  info.receptive_field = 27;
  return assemble_hyperpixels({at::randn({1, 6, (height + 3) / 4, (width + 3) / 4})}, {info}, width, height,
                              HyperpixelOptions{true});
}

TEST(HoughKernels, ColumnAccumulatorHistogramEqualsADirectBincount) {
  const Hyperpixels src = grid_hyperpixels(70, 53, 1), trg = grid_hyperpixels(61, 77, 2);
  RhmOptions options;
  options.factorized_similarity = true;  // the fused path: votes accumulated while rows are finished
  const Correlation c = regularized_hough_matching(src, trg, options);
  const at::Tensor direct =
      at::zeros({c.space.bins()}).index_add_(0, c.bin_ids(0, src.size()).view(-1), c.similarity.reshape(-1));
  at::Tensor row_max;
  const at::Tensor columns = detail::hough_histogram_cpu(c, &row_max);
  EXPECT_TRUE(at::allclose(columns, direct, 1e-5, 1e-6));
  const at::Tensor kernel = gaussian_kernel(7).view({1, 1, 7, 7});
  const at::Tensor smoothed =
      at::conv2d(direct.view({1, 1, c.space.bins_y, c.space.bins_x}), kernel, {}, 1, 3).view_as(c.hough);
  EXPECT_TRUE(at::allclose(c.hough, smoothed, 1e-5, 1e-6));
}

TEST(HoughKernels, BestMatchesWithRowMaximaEqualTheFullScan) {
  for (const bool factorized : {true, false}) {
    const Hyperpixels src = grid_hyperpixels(93, 71, 5), trg = grid_hyperpixels(88, 80, 6);
    RhmOptions options;
    options.factorized_similarity = factorized;
    Correlation c = regularized_hough_matching(src, trg, options);
    ASSERT_TRUE(c.row_max.defined());
    const BestMatches pruned = best_matches(c);
    c.row_max = at::Tensor();
    const BestMatches full = best_matches(c);
    EXPECT_TRUE(at::equal(pruned.target_index, full.target_index)) << "factorized " << factorized;
    EXPECT_TRUE(at::equal(pruned.confidence, full.confidence)) << "factorized " << factorized;
  }
}

TEST(HoughKernels, VoteGridRejectsCentresThatAreNotARectangle) {
  const Hyperpixels src = grid_hyperpixels(40, 40, 3), trg = grid_hyperpixels(40, 40, 4);
  Correlation c = regularized_hough_matching(src, trg, reference_similarity());
  EXPECT_NO_THROW(detail::vote_grid(c));
  c.target_centers = c.target_centers.slice(0, 1);  // drop the first target: rows no longer line up
  EXPECT_THROW(detail::vote_grid(c), std::logic_error);
}

}  // namespace
}  // namespace hpf
