#pragma once
// The beam search's candidate rule and selection (docs/method.md §7), free of any scoring so it can be tested
// alone.
//
// Depth 0 scores single layers (the seeds). Each later depth extends every kept set by one candidate id that
// is not in it and larger than its smallest id (so the base layer never changes), in beam order and then
// candidate order; the k best candidates of a depth are kept, and the best set of any depth wins.

#include "core/compute/layer_set.h"

#include <vector>

namespace hpf {

// What happens when an extension produces a set already listed at this depth (e.g. (2,5)+7 and (2,7)+5).
enum class DuplicateRule {
  Skip,            // skip it and go on with the next candidate id (what the reference meant)
  ReferenceBreak,  // the reference's quirk: stop extending this beam set altogether (`break` for `continue`)
};

// One set to score, with how it was formed: layers = shared + extra. Sets formed from the same `shared` set
// are scored together (their common per-layer terms are computed once). extra = -1: the set is `shared`
// itself.
struct Candidate {
  LayerSet layers;
  LayerSet shared;
  int extra = -1;
};

// The reference's seeds: {0}, {1}, ..., {k-1}.
std::vector<int> reference_seed_ids(int beam);

// Depth 0: one single-layer candidate per seed id, in the order given (duplicates dropped).
std::vector<Candidate> seed_candidates(const std::vector<int>& seed_ids);

// Depth d > 0: the extensions of `beams` (in their order) by `candidate_ids` (in their order).
std::vector<Candidate> extend_beams(const std::vector<LayerSet>& beams, const std::vector<int>& candidate_ids,
                                    DuplicateRule rule = DuplicateRule::Skip);

struct ScoredSet {
  LayerSet layers;
  double score = 0;
};

// The k best, highest score first; equal scores keep their scoring order (Python's stable sort, as the
// reference).
std::vector<ScoredSet> top_k(const std::vector<ScoredSet>& scored, int k);

// Groups a free list of sets for joint scoring: each set of two or more layers shares all but its largest id.
Candidate candidate_for(const LayerSet& layers);

}  // namespace hpf
