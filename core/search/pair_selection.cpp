#include "core/search/pair_selection.h"

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>

namespace hpf {
namespace {

// Uniform in [0, n) by rejection, so the result does not depend on std::uniform_int_distribution's algorithm.
uint64_t uniform_below(std::mt19937_64& engine, uint64_t n) {
  const uint64_t limit = std::mt19937_64::max() - std::mt19937_64::max() % n;
  uint64_t r;
  do {
    r = engine();
  } while (r >= limit);
  return r % n;
}

}  // namespace

std::vector<size_t> select_per_class(const std::vector<PairAnnotation>& pairs, int per_class, uint64_t seed) {
  if (per_class < 1)
    throw std::invalid_argument("pairs per class must be at least 1, got " + std::to_string(per_class));
  std::map<std::string, std::vector<size_t>> by_category;  // sorted by name: the draw order is fixed
  for (size_t i = 0; i < pairs.size(); ++i) by_category[pairs[i].category].push_back(i);
  std::mt19937_64 engine(seed);
  std::vector<size_t> chosen;
  for (auto& [category, indices] : by_category) {
    const size_t k = std::min<size_t>(per_class, indices.size());
    for (size_t i = 0; i < k; ++i) {  // partial Fisher-Yates: the first k slots become the sample
      std::swap(indices[i], indices[i + uniform_below(engine, indices.size() - i)]);
    }
    chosen.insert(chosen.end(), indices.begin(), indices.begin() + k);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace hpf
