#include "core/compute/match_options.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace hpf {
namespace {

template <typename T>
std::string text(T value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

std::vector<std::string> matching_method_names() {
  return {"hpf", "scot"};
}

bool operator==(const MatchOptions& a, const MatchOptions& b) {
  return a.method == b.method && a.layers == b.layers && a.rhm.exponent == b.rhm.exponent &&
         a.rhm.ncells == b.rhm.ncells && a.rhm.kernel_size == b.rhm.kernel_size &&
         a.rhm.hough_voting == b.rhm.hough_voting &&
         a.rhm.factorized_similarity == b.rhm.factorized_similarity && a.ot.epsilon == b.ot.epsilon &&
         a.ot.exponent == b.ot.exponent && a.ot.cam == b.ot.cam &&
         a.hyperpixels.prune_margin == b.hyperpixels.prune_margin && a.max_side == b.max_side &&
         a.memory_budget_mb == b.memory_budget_mb;
}

void MatchOptions::check() const {
  const std::vector<std::string> methods = matching_method_names();
  if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
    std::string known;
    for (const std::string& m : methods) known += (known.empty() ? "" : ", ") + m;
    throw OptionError("method", "unknown matching method '" + method + "' (known: " + known + ")");
  }
  if (layers.empty()) throw OptionError("layers", "names no layer id");
  if (!std::is_sorted(layers.begin(), layers.end()) ||
      std::adjacent_find(layers.begin(), layers.end()) != layers.end() || layers.front() < 0) {
    throw OptionError("layers",
                      "expected ascending, distinct, non-negative ids, got " + format_layer_ids(layers));
  }
  if (!std::isfinite(rhm.exponent) || rhm.exponent <= 0 || rhm.exponent > MatchLimits::kMaxExponent) {
    throw OptionError("exponent", "expected a number in (0, " + text(MatchLimits::kMaxExponent) + "], got " +
                                      text(rhm.exponent));
  }
  if (rhm.ncells < 1 || rhm.ncells > MatchLimits::kMaxCells) {
    throw OptionError(
        "ncells", "expected 1 to " + text(MatchLimits::kMaxCells) + " Hough cells, got " + text(rhm.ncells));
  }
  if (rhm.kernel_size < 1 || rhm.kernel_size % 2 == 0 || rhm.kernel_size > MatchLimits::kMaxKernel) {
    throw OptionError("kernel_size", "expected an odd number from 1 to " + text(MatchLimits::kMaxKernel) +
                                         ", got " + text(rhm.kernel_size));
  }
  if (!std::isfinite(ot.epsilon) || ot.epsilon < MatchLimits::kMinOtEpsilon ||
      ot.epsilon > MatchLimits::kMaxOtEpsilon) {
    throw OptionError("ot_epsilon", "expected a number from " + text(MatchLimits::kMinOtEpsilon) + " to " +
                                        text(MatchLimits::kMaxOtEpsilon) + ", got " + text(ot.epsilon));
  }
  if (!std::isfinite(ot.exponent) || ot.exponent <= 0 || ot.exponent > MatchLimits::kMaxOtExponent) {
    throw OptionError("ot_exponent", "expected a number in (0, " + text(MatchLimits::kMaxOtExponent) +
                                         "], got " + text(ot.exponent));
  }
  if (max_side != 0 && (max_side < MatchLimits::kMinSide || max_side > MatchLimits::kMaxSide)) {
    throw OptionError("max_side", "expected 0 (keep the original size) or " + text(MatchLimits::kMinSide) +
                                      " to " + text(MatchLimits::kMaxSide) + " pixels, got " +
                                      text(max_side));
  }
  if (memory_budget_mb < 0 || memory_budget_mb > MatchLimits::kMaxMemoryBudgetMb) {
    throw OptionError("memory_budget_mb", "expected 0 (half the physical memory) or up to " +
                                              text(MatchLimits::kMaxMemoryBudgetMb) + " MB, got " +
                                              text(memory_budget_mb));
  }
}

}  // namespace hpf
