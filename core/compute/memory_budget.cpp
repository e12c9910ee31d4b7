#include "core/compute/memory_budget.h"

#include <cstdio>

#include <unistd.h>

namespace hpf {

int64_t estimate_match_bytes(int64_t source_hyperpixels, int64_t target_hyperpixels, int64_t channels,
                             bool factorized_similarity) {
  const int64_t pairs = source_hyperpixels * target_hyperpixels;
  // The similarity itself; the reference formulation also holds the product and the outer product of norms.
  const int64_t similarity = 4 * pairs * (factorized_similarity ? 1 : 2);
  const int64_t features = 4 * (source_hyperpixels + target_hyperpixels) * channels;
  return similarity + features;
}

int64_t estimate_hyperpixels(int width, int height, int64_t jump) {
  return ((width + jump - 1) / jump + 1) * ((height + jump - 1) / jump + 1);
}

int64_t memory_budget_bytes(int64_t budget_mb) {
  if (budget_mb > 0) return budget_mb << 20;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page / 2 : int64_t{4} << 30;
}

std::string format_bytes(int64_t bytes) {
  char text[32];
  if (bytes >= (int64_t{1} << 30)) {
    std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes) / (1 << 30));
  } else {
    std::snprintf(text, sizeof text, "%lld MB", static_cast<long long>((bytes + (1 << 19)) >> 20));
  }
  return text;
}

}  // namespace hpf
