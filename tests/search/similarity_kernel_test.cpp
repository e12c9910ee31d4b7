// The layer search's row kernels against a direct double-precision evaluation of their formula:
//   s(t, x) = max(0, (shared + term) * inv_source * inv_target) ^ exponent,
// stored row by row (similarity_row) or summed into accumulator row bin_y[t] (vote_row), for each kind of
// term, with runs of equal y bins, a non-monotonic bin table, padding columns, and both exponent paths.

#include "core/search/similarity_kernel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace hpf::search_kernel {
namespace {

constexpr int64_t kRows = 7, kKept = 27, kWidth = 32;  // 27 kept target columns padded to 32

struct Fixture {
  std::vector<float> shared, dense, along_x, inv_target;
  TargetTaps taps;
  float inv_source = 0.37f;

  explicit Fixture(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> value(-0.5f, 2.0f), positive(0.2f, 1.5f), weight(0.0f, 1.0f);
    shared.resize(kRows * kWidth);
    dense.resize(kRows * kWidth);
    inv_target.resize(kRows * kWidth);
    for (int64_t t = 0; t < kRows; ++t) {
      for (int64_t x = 0; x < kWidth; ++x) {
        const bool kept = x < kKept;  // padding: zero dot products and zero reciprocal norms
        shared[t * kWidth + x] = kept ? value(rng) : 0.0f;
        dense[t * kWidth + x] = kept ? value(rng) : 0.0f;
        inv_target[t * kWidth + x] = kept ? positive(rng) : 0.0f;
      }
    }
    taps.coarse_h = 3;
    taps.width = kWidth;
    along_x.resize(taps.coarse_h * kWidth);
    for (float& v : along_x) v = value(rng);
    for (int64_t t = 0; t < kRows; ++t) {
      const int32_t low = static_cast<int32_t>(t * (taps.coarse_h - 1) / kRows);
      const float w1 = weight(rng);
      taps.y_low.push_back(low);
      taps.y_high.push_back(low + 1);
      taps.y_w0.push_back(1 - w1);
      taps.y_w1.push_back(w1);
    }
  }

  RowTerm term(RowTerm::Kind kind) const {
    RowTerm r;
    r.kind = kind;
    r.dense = dense.data();
    r.along_x = along_x.data();
    r.taps = &taps;
    return r;
  }

  double expected(RowTerm::Kind kind, double exponent, int64_t t, int64_t x) const {
    double v = shared[t * kWidth + x];
    if (kind == RowTerm::Kind::Dense) v += dense[t * kWidth + x];
    if (kind == RowTerm::Kind::Coarse) {
      v += double{taps.y_w0[t]} * along_x[taps.y_low[t] * kWidth + x] +
           double{taps.y_w1[t]} * along_x[taps.y_high[t] * kWidth + x];
    }
    return std::pow(std::max(0.0, v * inv_source * inv_target[t * kWidth + x]), exponent);
  }
};

class RowKernels : public ::testing::TestWithParam<std::tuple<RowTerm::Kind, float>> {};

TEST_P(RowKernels, SimilarityRowMatchesTheFormula) {
  const auto [kind, exponent] = GetParam();
  const Fixture f(7);
  std::vector<float> out(kRows * kWidth, -1.0f);
  similarity_row(f.shared.data(), f.term(kind), f.inv_source, f.inv_target.data(), exponent, kRows, kWidth,
                 out.data());
  int positive = 0;
  for (int64_t t = 0; t < kRows; ++t) {
    for (int64_t x = 0; x < kWidth; ++x) {
      const double want = f.expected(kind, exponent, t, x);
      EXPECT_NEAR(out[t * kWidth + x], want, 1e-5 * std::max(1.0, want)) << "t " << t << " x " << x;
      if (x >= kKept) {
        EXPECT_EQ(out[t * kWidth + x], 0.0f) << "padding t " << t << " x " << x;
      }
      positive += want > 0;
    }
  }
  EXPECT_GT(positive, kRows * kKept / 3);  // the clamp is exercised both ways
  EXPECT_LT(positive, kRows * kKept);
}

TEST_P(RowKernels, VotesSumIntoTheirBinRows) {
  const auto [kind, exponent] = GetParam();
  const Fixture f(11);
  // Runs of equal bins (summed in registers), a single-row run, and a bin revisited after another.
  const std::vector<int32_t> bin_y = {1, 1, 1, 0, 2, 2, 1};
  std::vector<float> acc(3 * kWidth, 0.5f);  // votes add to what the accumulator holds
  vote_row(f.shared.data(), f.term(kind), f.inv_source, f.inv_target.data(), exponent, bin_y.data(), kRows,
           kWidth, acc.data());
  std::vector<double> want(3 * kWidth, 0.5);
  for (int64_t t = 0; t < kRows; ++t) {
    for (int64_t x = 0; x < kWidth; ++x) want[bin_y[t] * kWidth + x] += f.expected(kind, exponent, t, x);
  }
  for (size_t j = 0; j < want.size(); ++j) EXPECT_NEAR(acc[j], want[j], 1e-5 * want[j]) << "acc " << j;
}

INSTANTIATE_TEST_SUITE_P(KindsAndExponents, RowKernels,
                         ::testing::Combine(::testing::Values(RowTerm::Kind::None, RowTerm::Kind::Dense,
                                                              RowTerm::Kind::Coarse),
                                            ::testing::Values(3.0f, 2.0f)));

TEST(RowKernelHelpers, AddTermAddsTheSameTerm) {
  const Fixture f(3);
  for (RowTerm::Kind kind : {RowTerm::Kind::Dense, RowTerm::Kind::Coarse}) {
    std::vector<float> dst = f.shared;
    add_term(f.term(kind), kRows, kWidth, dst.data());
    for (int64_t t = 0; t < kRows; ++t) {
      for (int64_t x = 0; x < kKept; ++x) {
        double term = f.dense[t * kWidth + x];
        if (kind == RowTerm::Kind::Coarse) {
          term = double{f.taps.y_w0[t]} * f.along_x[f.taps.y_low[t] * kWidth + x] +
                 double{f.taps.y_w1[t]} * f.along_x[f.taps.y_high[t] * kWidth + x];
        }
        EXPECT_NEAR(dst[t * kWidth + x], f.shared[t * kWidth + x] + term, 1e-5);
      }
    }
  }
}

TEST(RowKernelHelpers, BlendRowsWeighsFourRowsAtAStride) {
  // 3 coarse rows of stride 10; 6 values read from each, starting at column 2 (the callers' offset).
  std::vector<float> a(30), b(30), c(30), d(30);
  for (int j = 0; j < 30; ++j) {
    a[j] = static_cast<float>(j);
    b[j] = 2.0f * static_cast<float>(j);
    c[j] = 1.0f;
    d[j] = -static_cast<float>(j);
  }
  const float* rows[4] = {a.data() + 2, b.data() + 2, c.data() + 2, d.data() + 2};
  const float w[4] = {0.1f, 0.2f, 0.3f, 0.4f};
  std::vector<float> out(18, -1.0f);
  blend_rows(rows, w, 3, 10, 6, out.data());
  for (int r = 0; r < 3; ++r) {
    for (int j = 0; j < 6; ++j) {
      const float x = static_cast<float>(r * 10 + 2 + j);
      EXPECT_NEAR(out[r * 6 + j], 0.1f * x + 0.2f * 2 * x + 0.3f - 0.4f * x, 1e-5f) << r << " " << j;
    }
  }
}

TEST(RowKernelHelpers, UnpaddedRowsAreRefused) {
  const Fixture f(5);
  std::vector<float> out(kRows * kWidth);
  EXPECT_THROW(similarity_row(f.shared.data(), f.term(RowTerm::Kind::None), f.inv_source, f.inv_target.data(),
                              3.0f, kRows, 27, out.data()),
               std::logic_error);
}

}  // namespace
}  // namespace hpf::search_kernel
