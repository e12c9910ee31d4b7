#pragma once
// Memory needed to match a pair, known before the work starts: the N_s x N_t similarity dominates, and N
// grows with the square of the image side, so an oversized request is refused with an explanation and a
// smaller image side that fits, instead of being killed by the system.

#include "core/compute/option_error.h"

#include <cstdint>
#include <string>

namespace hpf {

// The image side (option max_side) is too large for the memory budget.
class MemoryBudgetExceeded : public OptionError {
 public:
  MemoryBudgetExceeded(const std::string& problem, int suggested_max_side)
      : OptionError("max_side", problem), suggested_max_side(suggested_max_side) {}
  int suggested_max_side;  // a max_side whose estimate fits the budget (0 if none does)
};

// "1.5 GB", or "300 MB" below a gigabyte.
std::string format_bytes(int64_t bytes);

// Bytes RHM needs for N_s x N_t hyperpixels with D concatenated channels.
int64_t estimate_match_bytes(int64_t source_hyperpixels, int64_t target_hyperpixels, int64_t channels,
                             bool factorized_similarity);

// Hyperpixels of a width x height image on a base layer of the given jump (before margin pruning: an upper
// bound).
int64_t estimate_hyperpixels(int width, int height, int64_t jump);

// The budget in bytes: `budget_mb` if positive, else half of the machine's physical memory.
int64_t memory_budget_bytes(int64_t budget_mb);

}  // namespace hpf
