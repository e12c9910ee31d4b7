// SCOT's transport plan (docs/method.md §10.3) against a direct dense transcription of the published code:
// one Sinkhorn step, the plan formed with two products by diagonal matrices, NaN -> epsilon doubling.

#include "core/compute/optimal_transport.h"
#include "core/compute/rhm.h"

#include "tests/support/layer_info.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace hpf {
namespace {

using test::layer;

// Two layers at two resolutions, every box kept (SCOT prunes no margin); CAM-like weights when asked.
Hyperpixels random_hyperpixels(int width, int height, uint64_t seed, bool weighted) {
  at::manual_seed(seed);
  const int64_t gw = (width + 3) / 4, gh = (height + 3) / 4;
  std::vector<at::Tensor> maps = {at::randn({1, 6, gh, gw}), at::randn({1, 5, (gh + 1) / 2, (gw + 1) / 2})};
  Hyperpixels hp =
      assemble_hyperpixels(maps, {layer(2, 4, 27), layer(5, 8, 59)}, width, height, HyperpixelOptions{false});
  if (weighted) {
    const at::Tensor u = at::rand({hp.size()});
    hp.weights = at::full({hp.size()}, 0.5f).masked_fill_(u > 0.4, 0.8).masked_fill_(u > 0.7, 1.0);
  }
  return hp;
}

// The published code, line by line: cost, kernel, one step from a0 = 1/N_s, plan = diag(a) K diag(b) as two
// dense products, rescaled by N_s, clamped, raised to exp2.
at::Tensor dense_votes(const Hyperpixels& src, const Hyperpixels& trg, double epsilon, double exponent) {
  const at::Tensor sim = appearance_similarity(src.features, trg.features, 1.0);
  const at::Tensor cost = 1 - sim;
  const at::Tensor mu = transport_marginal(src.weights, src.size(), at::kCPU);
  const at::Tensor nu = transport_marginal(trg.weights, trg.size(), at::kCPU);
  const at::Tensor k = at::exp(-cost / epsilon);
  const at::Tensor a0 = at::ones({cost.size(0), 1}) / static_cast<double>(cost.size(0));
  const at::Tensor b = nu / at::mm(k.t(), a0);
  const at::Tensor a = mu / at::mm(k, b);
  const at::Tensor plan = at::mm(at::mm(at::diag(a.select(1, 0)), k), at::diag(b.select(1, 0)));
  return at::pow(at::clamp_min(plan * static_cast<double>(src.size()), 0), exponent);
}

MatchOptions scot(bool factorized) {
  MatchOptions options;
  options.method = "scot";
  options.layers = {2, 5};
  options.rhm.factorized_similarity = factorized;
  return options;
}

TEST(OptimalTransport, MarginalsAreNormalisedWeights) {
  EXPECT_TRUE(at::allclose(transport_marginal({}, 4, at::kCPU), at::full({4, 1}, 0.25f)));
  const at::Tensor mu = transport_marginal(at::tensor({0.5f, 1.0f, 0.5f}), 3, at::kCPU);
  EXPECT_TRUE(at::allclose(mu, at::tensor({0.25f, 0.5f, 0.25f}).view({3, 1})));
}

TEST(OptimalTransport, PlanEqualsTheDenseFormulationForBothMarginalKinds) {
  for (bool weighted : {false, true}) {
    for (double exponent : {0.5, 1.0, 2.0}) {
      const Hyperpixels src = random_hyperpixels(40, 36, 3, weighted),
                        trg = random_hyperpixels(44, 32, 4, weighted);
      const at::Tensor expected = dense_votes(src, trg, 0.05, exponent);
      at::Tensor votes = appearance_similarity(src.features, trg.features, 1.0);
      const SinkhornScaling scaling =
          sinkhorn_step(votes, transport_marginal(src.weights, src.size(), at::kCPU),
                        transport_marginal(trg.weights, trg.size(), at::kCPU), 0.05);
      ASSERT_TRUE(plan_votes(votes, scaling, exponent));
      // Row and column scaling give the diagonal products' values exactly (each is one rounded product).
      EXPECT_TRUE(at::equal(votes, expected)) << "weighted " << weighted << " exp2 " << exponent;
    }
  }
}

TEST(OptimalTransport, MatchingUsesThePlanAsHoughVotesOnBothPaths) {
  for (bool weighted : {false, true}) {
    const Hyperpixels src = random_hyperpixels(64, 48, 5, weighted),
                      trg = random_hyperpixels(56, 60, 6, weighted);
    const at::Tensor expected = dense_votes(src, trg, 0.05, 0.5);
    for (bool factorized : {false, true}) {
      const PairMatch m = make_matching_method(scot(factorized))->match(src, trg, nullptr);
      EXPECT_TRUE(m.notice.empty());
      // The factorised similarity differs from the concatenated one by rounding only.
      EXPECT_TRUE(at::allclose(m.correlation.similarity, expected, 1e-4, 1e-6)) << factorized;
      // Confidence = votes x smoothed histogram of the votes at the pair's bin, argmax per source row.
      const Correlation& c = m.correlation;
      const at::Tensor bins = c.bin_ids(0, src.size());
      const at::Tensor histogram =
          at::zeros({c.space.bins()}).index_add_(0, bins.reshape(-1), expected.reshape(-1));
      const at::Tensor kernel = gaussian_kernel(7).view({1, 1, 7, 7});
      const at::Tensor smoothed =
          at::conv2d(histogram.view({1, 1, c.space.bins_y, c.space.bins_x}), kernel, {}, 1, 3).view(-1);
      const at::Tensor best = std::get<1>(at::max(expected * smoothed.index({bins}), 1));
      const double agree = m.best.target_index.eq(best).to(at::kFloat).mean().item<double>();
      EXPECT_GE(agree, 0.99) << "weighted " << weighted << " factorized " << factorized;
    }
  }
}

TEST(OptimalTransport, UnderflowingKernelDoublesEpsilonAsThePublishedCode) {
  // Features on two orthogonal axes: every source is at cost 1 from the targets of the other axis. At
  // epsilon = 0.001, exp(-1000) underflows, a target column of K is all zero, b = inf, and the plan is NaN.
  const int width = 24, height = 24;
  const int64_t g = 6;
  at::Tensor src_map = at::zeros({1, 2, g, g}), trg_map = at::zeros({1, 2, g, g});
  src_map.select(1, 0).fill_(1);
  trg_map.select(1, 0).fill_(1);
  trg_map.select(1, 1).slice(2, 0, 2).fill_(1);  // the first two target rows lean towards axis 1...
  trg_map.select(1, 0).slice(2, 0, 2).fill_(0);  // ...entirely: cos = 0 with every source
  const Hyperpixels src =
      assemble_hyperpixels({src_map}, {layer(2, 4, 27)}, width, height, HyperpixelOptions{false});
  const Hyperpixels trg =
      assemble_hyperpixels({trg_map}, {layer(2, 4, 27)}, width, height, HyperpixelOptions{false});

  at::Tensor k = appearance_similarity(src.features, trg.features, 1.0);
  const at::Tensor mu = transport_marginal({}, src.size(), at::kCPU),
                   nu = transport_marginal({}, trg.size(), at::kCPU);
  const SinkhornScaling scaling = sinkhorn_step(k, mu, nu, 0.001);
  EXPECT_FALSE(plan_votes(k, scaling, 0.5)) << "the plan at epsilon = 0.001 holds NaN values";

  for (bool factorized : {false, true}) {
    MatchOptions options = scot(factorized);
    options.layers = {2};
    options.ot.epsilon = 0.001;
    const PairMatch doubled = make_matching_method(options)->match(src, trg, nullptr);
    EXPECT_NE(doubled.notice.find("doubled"), std::string::npos) << doubled.notice;
    // The first epsilon whose kernel keeps every column: 0.001 * 2^k with exp(-1 / eps) > 0 in float32.
    double epsilon = 0.001;
    while (std::exp(-1.0f / static_cast<float>(epsilon)) == 0.0f) epsilon *= 2;
    EXPECT_NE(doubled.notice.find(std::to_string(epsilon).substr(0, 5)), std::string::npos) << doubled.notice;
    options.ot.epsilon = epsilon;
    const PairMatch direct = make_matching_method(options)->match(src, trg, nullptr);
    EXPECT_TRUE(at::equal(doubled.correlation.similarity, direct.correlation.similarity));
    EXPECT_TRUE(direct.notice.empty());
  }
}

TEST(OptimalTransport, NonFiniteFeaturesAreRefusedInsteadOfDoublingForever) {
  Hyperpixels src = random_hyperpixels(24, 24, 7, false), trg = random_hyperpixels(24, 24, 8, false);
  src.features[0][0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(make_matching_method(scot(false))->match(src, trg, nullptr), std::runtime_error);
}

TEST(OptimalTransport, OptionsAreBounded) {
  MatchOptions options = scot(true);
  options.ot.epsilon = 0;
  EXPECT_THROW(options.check(), OptionError);
  options.ot.epsilon = 0.05;
  options.ot.exponent = std::nan("");
  try {
    options.check();
    FAIL();
  } catch (const OptionError& e) {
    EXPECT_EQ(e.option(), "ot_exponent");
  }
  options.ot.exponent = 1.0;
  EXPECT_NO_THROW(options.check());
  EXPECT_TRUE(options.enlarges_to_max_side());
  EXPECT_FALSE(options.prunes_margin());
  EXPECT_TRUE(options.needs_class_activation());
  options.method = "hpf";
  EXPECT_TRUE(options.prunes_margin());
  EXPECT_FALSE(options.needs_class_activation());
}

}  // namespace
}  // namespace hpf
