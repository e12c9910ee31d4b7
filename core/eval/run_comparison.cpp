#include "core/eval/run_comparison.h"

#include <algorithm>
#include <set>

namespace hpf {
namespace {

std::optional<double> value_at(const std::map<std::string, double>& by_alpha, const std::string& alpha) {
  const auto v = by_alpha.find(alpha);
  return v == by_alpha.end() ? std::nullopt : std::optional<double>(v->second);
}

std::optional<double> category_value(const Summary& s, const std::string& category,
                                     const std::string& alpha) {
  const auto c = s.pck_per_category.find(category);
  return c == s.pck_per_category.end() ? std::nullopt : value_at(c->second, alpha);
}

}  // namespace

RunComparison compare_runs(const Summary& a, const std::vector<std::string>& a_alphas, const Summary& b,
                           const std::vector<std::string>& b_alphas) {
  RunComparison out;
  for (const std::string& alpha : a_alphas) {
    if (std::find(b_alphas.begin(), b_alphas.end(), alpha) != b_alphas.end()) out.alphas.push_back(alpha);
  }
  std::set<std::string> categories;
  for (const auto& [category, values] : a.pck_per_category) categories.insert(category);
  for (const auto& [category, values] : b.pck_per_category) categories.insert(category);
  for (const std::string& category : categories) {
    ComparisonRow row{category, {}};
    for (const std::string& alpha : out.alphas)
      row.values.push_back({category_value(a, category, alpha), category_value(b, category, alpha)});
    out.rows.push_back(row);
  }
  ComparisonRow all{"all", {}};
  for (const std::string& alpha : out.alphas)
    all.values.push_back({value_at(a.pck, alpha), value_at(b.pck, alpha)});
  out.rows.push_back(all);
  return out;
}

}  // namespace hpf
