#pragma once
// Which pairs the search scores: the whole split, its first N pairs, or the paper's small-set experiment
// (K random pairs per class, seeded).

#include "datasets/dataset.h"

#include <cstdint>
#include <vector>

namespace hpf {

// Indices into `pairs` of K pairs drawn at random from each category (all of a category with at most K
// pairs), ascending. The draw depends only on the seed, the categories' pair lists and K -- not on the
// platform's standard library (its own Fisher-Yates on std::mt19937_64), so a seed names the same selection
// everywhere.
std::vector<size_t> select_per_class(const std::vector<PairAnnotation>& pairs, int per_class, uint64_t seed);

}  // namespace hpf
