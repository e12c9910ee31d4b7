#pragma once
// Two evaluation runs side by side (e.g. two layer sets, or two matching methods): PCK of A, of B and B - A
// per category and overall, for every alpha both runs have. What the GUI's comparison table and its export
// show.

#include "core/eval/summary.h"

#include <optional>
#include <string>
#include <vector>

namespace hpf {

struct ComparedValue {
  std::optional<double> a, b;  // PCK fractions; empty where that run has no value (a category it lacks)
  std::optional<double> difference() const { return a && b ? std::optional<double>(*b - *a) : std::nullopt; }
};

struct ComparisonRow {
  std::string name;                   // a category, or "all"
  std::vector<ComparedValue> values;  // one per RunComparison::alphas
};

struct RunComparison {
  std::vector<std::string> alphas;  // those both runs have, in A's order
  std::vector<ComparisonRow> rows;  // categories of either run (sorted), then "all"
};

RunComparison compare_runs(const Summary& a, const std::vector<std::string>& a_alphas, const Summary& b,
                           const std::vector<std::string>& b_alphas);

}  // namespace hpf
