#include "core/search/beam_search.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace hpf {

std::vector<int> reference_seed_ids(int beam) {
  std::vector<int> ids;
  for (int i = 0; i < beam; ++i) ids.push_back(i);
  return ids;
}

std::vector<Candidate> seed_candidates(const std::vector<int>& seed_ids) {
  std::vector<Candidate> out;
  std::set<int> seen;
  for (int id : seed_ids) {
    if (!seen.insert(id).second) continue;
    out.push_back({{id}, {id}, -1});
  }
  return out;
}

std::vector<Candidate> extend_beams(const std::vector<LayerSet>& beams, const std::vector<int>& candidate_ids,
                                    DuplicateRule rule) {
  std::vector<Candidate> out;
  std::set<LayerSet> listed;
  for (const LayerSet& beam : beams) {
    if (beam.empty()) throw std::invalid_argument("extend_beams: an empty layer set cannot be extended");
    const int base = *std::min_element(beam.begin(), beam.end());
    for (int id : candidate_ids) {
      if (id <= base || std::find(beam.begin(), beam.end(), id) != beam.end()) continue;
      LayerSet layers = beam;
      layers.push_back(id);
      std::sort(layers.begin(), layers.end());
      if (!listed.insert(layers).second) {
        if (rule == DuplicateRule::ReferenceBreak) break;
        continue;
      }
      LayerSet shared = beam;
      std::sort(shared.begin(), shared.end());
      out.push_back({layers, shared, id});
    }
  }
  return out;
}

std::vector<ScoredSet> top_k(const std::vector<ScoredSet>& scored, int k) {
  std::vector<ScoredSet> sorted = scored;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const ScoredSet& a, const ScoredSet& b) { return a.score > b.score; });
  if (k >= 0 && static_cast<size_t>(k) < sorted.size()) sorted.resize(k);
  return sorted;
}

Candidate candidate_for(const LayerSet& layers) {
  if (layers.empty()) throw std::invalid_argument("candidate_for: empty layer set");
  LayerSet sorted = layers;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (sorted.size() == 1) return {sorted, sorted, -1};
  LayerSet shared(sorted.begin(), sorted.end() - 1);
  return {sorted, shared, sorted.back()};
}

}  // namespace hpf
