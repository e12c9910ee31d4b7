#pragma once
// Memory needed to match a pair, known before the work starts: the N_s x N_t similarity dominates, and N grows
// with the square of the image side, so an oversized request is refused with an explanation and a smaller image
// side that fits, instead of being killed by the system.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace hpf {

class MemoryBudgetExceeded : public std::runtime_error {
 public:
  MemoryBudgetExceeded(const std::string& message, int suggested_max_side)
      : std::runtime_error(message), suggested_max_side(suggested_max_side) {}
  int suggested_max_side;  // a --max-side whose estimate fits the budget (0 if none does)
};

// Bytes RHM needs for N_s x N_t hyperpixels with D concatenated channels.
int64_t estimate_match_bytes(int64_t source_hyperpixels, int64_t target_hyperpixels, int64_t channels,
                             bool factorized_similarity);

// Hyperpixels of a width x height image on a base layer of the given jump (before margin pruning: an upper bound).
int64_t estimate_hyperpixels(int width, int height, int64_t jump);

// The budget in bytes: `budget_mb` if positive, else half of the machine's physical memory.
int64_t memory_budget_bytes(int64_t budget_mb);

}  // namespace hpf
