#include "core/compute/optimal_transport.h"

#include "core/compute/rhm_cpu.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace hpf {
namespace {

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

bool all_finite(const at::Tensor& t) {
  return at::isfinite(t).all().item<bool>();
}

// votes(i, j) = max(0, ((a_i K_ij) b_j) N_s)^exponent over one row, in place: the published code's operation
// order, so each value is the same float as plan_votes gives.
void row_votes(float* row, int64_t columns, float a, const float* b, float rows, double exponent) {
  if (exponent == 0.5) {
    for (int64_t j = 0; j < columns; ++j) row[j] = std::sqrt(std::max(a * row[j] * b[j] * rows, 0.0f));
  } else if (exponent == 1.0) {
    for (int64_t j = 0; j < columns; ++j) row[j] = std::max(a * row[j] * b[j] * rows, 0.0f);
  } else {
    const auto e = static_cast<float>(exponent);
    for (int64_t j = 0; j < columns; ++j) row[j] = std::pow(std::max(a * row[j] * b[j] * rows, 0.0f), e);
  }
}

std::string number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

class OptimalTransportMatching : public MatchingMethod {
 public:
  explicit OptimalTransportMatching(const MatchOptions& options) : rhm_(options.rhm), ot_(options.ot) {}

  const std::string& name() const override {
    static const std::string kName = "scot";
    return kName;
  }

  PairMatch match(const Hyperpixels& source, const Hyperpixels& target, RhmTimings* timings) const override {
    PairMatch result;
    Correlation& c = result.correlation;
    if (rhm_.hough_voting) set_hough_geometry(source, target, rhm_, source.layer_maps.front().device(), c);
    at::Tensor histogram;
    const double epsilon = votes_of_the_plan(source, target, c, &histogram, timings);
    if (epsilon != ot_.epsilon) {
      result.notice =
          "SCOT: the transport plan held NaN values (exp(-cost/epsilon) underflowed) at epsilon = " +
          number(ot_.epsilon) + "; as the published code does, epsilon was doubled to " + number(epsilon);
    }
    if (rhm_.hough_voting) {
      const auto start = std::chrono::steady_clock::now();
      smooth_hough(c, histogram, rhm_.kernel_size);
      if (timings) timings->smoothing_ms += elapsed_ms(start);
    }
    result.best = best_matches(c, timings);
    return result;
  }

 private:
  // c.similarity = the plan's votes (and, with voting, *histogram = their Hough histogram), doubling epsilon
  // while the plan holds a NaN. Returns the epsilon that gave them.
  double votes_of_the_plan(const Hyperpixels& source, const Hyperpixels& target, Correlation& c,
                           at::Tensor* histogram, RhmTimings* timings) const {
    const at::Device device = source.layer_maps.front().device();
    const at::Tensor mu = transport_marginal(source.weights, source.size(), device);
    const at::Tensor nu = transport_marginal(target.weights, target.size(), device);
    double epsilon = ot_.epsilon;
    for (int doublings = 0; doublings <= kMaxEpsilonDoublings; ++doublings, epsilon *= 2) {
      auto start = std::chrono::steady_clock::now();
      c.similarity = similarity(source, target);
      if (timings) timings->similarity_ms += elapsed_ms(start);
      start = std::chrono::steady_clock::now();
      const SinkhornScaling scaling = sinkhorn_step(c.similarity, mu, nu, epsilon);
      const bool fused = rhm_.hough_voting && device.is_cpu() && rhm_.factorized_similarity &&
                         all_finite(scaling.a) && all_finite(scaling.b);
      if (fused) {
        // The plan's votes are finished row by row inside the histogram pass (no NaN is possible with finite
        // scalings and a kernel in [0, 1]).
        if (timings) timings->transport_ms += elapsed_ms(start);
        start = std::chrono::steady_clock::now();
        *histogram = fused_votes_and_histogram(c, scaling);
        if (timings) timings->voting_ms += elapsed_ms(start);
        return epsilon;
      }
      const bool finite = plan_votes(c.similarity, scaling, ot_.exponent);
      if (timings) timings->transport_ms += elapsed_ms(start);
      if (!finite) continue;
      if (rhm_.hough_voting) {
        start = std::chrono::steady_clock::now();
        *histogram = vote_histogram(c);
        if (timings) timings->voting_ms += elapsed_ms(start);
      }
      return epsilon;
    }
    throw std::runtime_error("SCOT: the transport plan holds NaN values even at epsilon = " +
                             number(epsilon / 2) + ": the features are not finite");
  }

  // max(0, cos): the published code's exp1 is 1.
  at::Tensor similarity(const Hyperpixels& source, const Hyperpixels& target) const {
    return rhm_.factorized_similarity ? factorized_similarity(source, target, 1.0)
                                      : appearance_similarity(source.features, target.features, 1.0);
  }

  at::Tensor fused_votes_and_histogram(Correlation& c, const SinkhornScaling& scaling) const {
    const detail::VoteGrid grid = detail::vote_grid(c);
    const at::Tensor a = scaling.a.contiguous(), b = scaling.b.contiguous();
    const float* a_data = a.data_ptr<float>();
    const float* b_data = b.data_ptr<float>();
    float* votes = c.similarity.data_ptr<float>();
    const int64_t columns = c.similarity.size(1);
    const auto rows = static_cast<float>(c.similarity.size(0));
    return detail::histogram_by_columns(
        grid,
        [&](int64_t i) {
          float* row = votes + i * columns;
          row_votes(row, columns, a_data[i], b_data, rows, ot_.exponent);
          return row;
        },
        &c.row_max);
  }

  RhmOptions rhm_;
  OtOptions ot_;
};

}  // namespace

at::Tensor transport_marginal(const at::Tensor& weights, int64_t count, at::Device device) {
  const auto options = at::TensorOptions().dtype(at::kFloat).device(device);
  if (!weights.defined()) return at::ones({count, 1}, options) / static_cast<double>(count);
  const at::Tensor column = weights.to(device).view({-1, 1});
  return column / column.sum();
}

SinkhornScaling sinkhorn_step(at::Tensor& similarity_to_kernel, const at::Tensor& mu, const at::Tensor& nu,
                              double epsilon) {
  at::Tensor& k = similarity_to_kernel;
  // cost = 1 - S; K = exp(-cost / epsilon), each step as the published code orders it.
  k.neg_().add_(1).neg_().div_(epsilon).exp_();
  const at::Tensor a0 = at::ones({k.size(0), 1}, k.options()) / static_cast<double>(k.size(0));
  SinkhornScaling scaling;
  scaling.b = nu / at::mm(k.t(), a0);
  scaling.a = mu / at::mm(k, scaling.b);
  return scaling;
}

bool plan_votes(at::Tensor& kernel_to_votes, const SinkhornScaling& scaling, double exponent) {
  at::Tensor& plan = kernel_to_votes;
  plan.mul_(scaling.a).mul_(scaling.b.t());
  if (at::isnan(plan).any().item<bool>()) return false;
  plan.mul_(static_cast<double>(plan.size(0))).clamp_min_(0).pow_(exponent);
  return true;
}

std::unique_ptr<MatchingMethod> make_optimal_transport_matching(const MatchOptions& options) {
  return std::make_unique<OptimalTransportMatching>(options);
}

}  // namespace hpf
