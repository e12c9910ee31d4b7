#pragma once
// SCOT's optimal-transport matching (docs/method.md §10): the hyperpixels' similarity becomes the plan of one
// entropic Sinkhorn step between the two images' marginals, and that plan (rescaled and raised to a power)
// replaces HPF's cos^d as the votes of Regularized Hough Matching.

#include "core/compute/matching_method.h"

#include <ATen/core/Tensor.h>

#include <memory>

namespace hpf {

// The published code doubles epsilon while the plan holds a NaN; past this many doublings the cause is not
// an underflow (non-finite features) and the pair is refused.
constexpr int kMaxEpsilonDoublings = 40;

// mu = w / sum(w) as an (N, 1) column; uniform (1 / N) when `weights` is undefined.
at::Tensor transport_marginal(const at::Tensor& weights, int64_t count, at::Device device);

// One Sinkhorn step from a0 = 1/N_s: b = nu / (K^T a0), a = mu / (K b), both columns.
struct SinkhornScaling {
  at::Tensor a;  // (N_s, 1)
  at::Tensor b;  // (N_t, 1)
};

// Turns a similarity S = max(0, cos) into the kernel K = exp(-(1 - S) / epsilon), in place, and returns the
// step's scalings (matrix-vector products, as the published code computes them).
SinkhornScaling sinkhorn_step(at::Tensor& similarity_to_kernel, const at::Tensor& mu, const at::Tensor& nu,
                              double epsilon);

// The published formulation, any device: the plan diag(a) K diag(b) (formed here by row and column scaling,
// the same values without the two N^3 products), then votes = max(0, N_s * plan)^exponent, in place over K.
// Returns false when the plan holds a NaN (the caller doubles epsilon and starts again from the similarity).
bool plan_votes(at::Tensor& kernel_to_votes, const SinkhornScaling& scaling, double exponent);

// SCOT as a matching method (make_matching_method's "scot").
std::unique_ptr<MatchingMethod> make_optimal_transport_matching(const MatchOptions& options);

}  // namespace hpf
