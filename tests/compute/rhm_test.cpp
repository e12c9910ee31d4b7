#include "core/compute/rhm.h"
#include "core/compute/rhm_transcription.h"

#include "tests/support/layer_info.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

namespace hpf {
namespace {

// RHM with the similarity computed as the reference does (from the concatenated features), the formulation
// these tests compare against.
RhmOptions reference_similarity() {
  RhmOptions options;
  options.factorized_similarity = false;
  return options;
}

using test::layer;

Hyperpixels random_hyperpixels(int width, int height, bool two_layers, uint64_t seed) {
  at::manual_seed(seed);
  const int64_t gw = (width + 3) / 4, gh = (height + 3) / 4;
  std::vector<at::Tensor> maps = {at::randn({1, 6, gh, gw})};
  std::vector<LayerInfo> layers = {layer(2, 4, 27)};
  if (two_layers) {
    maps.push_back(at::randn({1, 5, (gh + 1) / 2, (gw + 1) / 2}));
    maps.push_back(at::randn({1, 3, (gh + 1) / 2, (gw + 1) / 2}));
    layers.push_back(layer(5, 8, 59));
    layers.push_back(layer(6, 8, 75));
  }
  return assemble_hyperpixels(maps, layers, width, height, HyperpixelOptions{true});
}

// The reference's Hough histogram: an N_s x n_bins buffer filled row by row, summed over rows.
at::Tensor reference_histogram(const Correlation& c) {
  const int64_t rows = c.similarity.size(0);
  at::Tensor buffer = at::zeros({rows, c.space.bins()});
  const at::Tensor bins = c.bin_ids(0, rows);
  for (int64_t i = 0; i < rows; ++i) buffer[i].index_add_(0, bins[i], c.similarity[i]);
  return buffer.sum(0);
}

TEST(Rhm, HoughSpaceFollowsTheReferenceRule) {
  const HoughSpace s = hough_space(300, 225, 300, 200, 8192);
  const double cell = std::sqrt(600.0 * 425.0 / 8192.0);
  EXPECT_DOUBLE_EQ(s.cell_size, cell);
  EXPECT_EQ(s.bins_x, static_cast<int64_t>(600 / cell) + 1);
  EXPECT_EQ(s.bins_y, static_cast<int64_t>(425 / cell) + 1);
  EXPECT_THROW(hough_space(10, 10, 10, 10, 0), std::invalid_argument);
}

TEST(Rhm, GaussianKernelIsNormalisedAndSymmetric) {
  const at::Tensor g = gaussian_kernel(7);
  ASSERT_EQ(g.sizes(), (at::IntArrayRef{7, 7}));
  EXPECT_NEAR(g.sum().item<float>(), 1.0f, 1e-6);
  const double sigma_sq = std::pow(7.0 / 2 / 2.354, 2);
  const double ratio = std::exp(-1.0 / (2 * sigma_sq));  // one step away from the centre along an axis
  EXPECT_NEAR(g[3][4].item<float>() / g[3][3].item<float>(), ratio, 1e-6);
  EXPECT_TRUE(at::allclose(g, g.t()));
  EXPECT_THROW(gaussian_kernel(4), std::invalid_argument);
}

TEST(Rhm, BinIdsAtImageBordersMatchDirectComputation) {
  const Hyperpixels src = random_hyperpixels(37, 29, false, 1);
  const Hyperpixels trg = random_hyperpixels(41, 23, false, 2);
  const Correlation c = regularized_hough_matching(src, trg, reference_similarity());
  const at::Tensor bins = c.bin_ids(0, src.size());
  // Check the extreme pairs: first/last source against first/last target hyperpixel.
  for (int64_t i : {int64_t{0}, src.size() - 1}) {
    for (int64_t j : {int64_t{0}, trg.size() - 1}) {
      const float vx = 37.0f - src.centers[i][0].item<float>() + trg.centers[j][0].item<float>();
      const float vy = 29.0f - src.centers[i][1].item<float>() + trg.centers[j][1].item<float>();
      const float cell = static_cast<float>(c.space.cell_size);
      const int64_t expected =
          static_cast<int64_t>(vx / cell) + static_cast<int64_t>(vy / cell) * c.space.bins_x;
      EXPECT_EQ(bins[i][j].item<int64_t>(), expected) << i << "," << j;
      EXPECT_GE(expected, 0);
      EXPECT_LT(expected, c.space.bins());
    }
  }
}

TEST(Rhm, DirectHistogramEqualsTheReferenceBuffer) {
  const Hyperpixels src = random_hyperpixels(60, 44, true, 3);
  const Hyperpixels trg = random_hyperpixels(52, 64, true, 4);
  const Correlation c = regularized_hough_matching(src, trg, reference_similarity());
  at::Tensor histogram = reference_histogram(c);
  const at::Tensor kernel = gaussian_kernel(7).view({1, 1, 7, 7});
  const at::Tensor smoothed =
      at::conv2d(histogram.view({1, 1, c.space.bins_y, c.space.bins_x}), kernel, {}, 1, 3).view_as(c.hough);
  EXPECT_TRUE(at::allclose(c.hough, smoothed, 1e-5, 1e-6));

  // Confidence and argmax equal the reference's dense formulation.
  const at::Tensor dense = c.similarity * c.hough.view(-1).index({c.bin_ids(0, src.size())});
  const BestMatches best = best_matches(c);
  EXPECT_TRUE(at::equal(best.target_index, std::get<1>(at::max(dense, 1))));
}

TEST(Rhm, SimilarityIsClampedCosinePower) {
  const at::Tensor a = at::tensor({1.f, 0.f, 1.f, 1.f}).view({2, 2});
  const at::Tensor b = at::tensor({-1.f, 0.f, 0.f, 2.f}).view({2, 2});
  const at::Tensor s = appearance_similarity(a, b, 3.0);
  EXPECT_FLOAT_EQ(s[0][0].item<float>(), 0.0f);  // cos = -1 -> clamped
  EXPECT_FLOAT_EQ(s[0][1].item<float>(), 0.0f);  // orthogonal
  EXPECT_NEAR(s[1][1].item<float>(), std::pow(1 / std::sqrt(2.0), 3), 1e-6);
}

TEST(Rhm, FactorizedSimilarityEqualsConcatenatedSimilarity) {
  const Hyperpixels src = random_hyperpixels(60, 44, true, 5);
  const Hyperpixels trg = random_hyperpixels(52, 64, true, 6);
  const at::Tensor reference = appearance_similarity(src.features, trg.features, 3.0);
  const at::Tensor factorized = factorized_similarity(src, trg, 3.0);
  ASSERT_EQ(reference.sizes(), factorized.sizes());
  EXPECT_LT((reference - factorized).abs().max().item<float>(), 1e-5f);
}

TEST(Rhm, NearestNeighbourBaselineSkipsVoting) {
  const Hyperpixels src = random_hyperpixels(40, 40, false, 7);
  const Hyperpixels trg = random_hyperpixels(40, 40, false, 8);
  RhmOptions options = reference_similarity();
  options.hough_voting = false;
  options.exponent = 1.0;
  const Correlation c = regularized_hough_matching(src, trg, options);
  EXPECT_FALSE(c.hough.defined());
  const BestMatches best = best_matches(c);
  const at::Tensor cosine = appearance_similarity(src.features, trg.features, 1.0);
  EXPECT_TRUE(at::equal(best.target_index, std::get<1>(at::max(cosine, 1))));
}

}  // namespace
}  // namespace hpf

namespace hpf {
namespace {

TEST(Rhm, OptimisedMatchingEqualsTheReferenceTranscription) {
  const Hyperpixels src = random_hyperpixels(64, 48, true, 21);
  const Hyperpixels trg = random_hyperpixels(56, 60, true, 22);
  const BestMatches expected = rhm_transcription(src, trg, reference_similarity());
  const BestMatches actual = best_matches(regularized_hough_matching(src, trg, reference_similarity()));
  ASSERT_EQ(actual.target_index.sizes(), expected.target_index.sizes());
  // The direct histogram sums votes in another order: allow rounding in the confidences, and at most a rare
  // near-tie to flip.
  EXPECT_TRUE(at::allclose(actual.confidence, expected.confidence, 1e-4, 1e-7));
  const double agree = actual.target_index.eq(expected.target_index).to(at::kFloat).mean().item<double>();
  EXPECT_GE(agree, 0.99);
}

}  // namespace
}  // namespace hpf
