#pragma once
// A layer search's output folder as a reader sees it (the GUI's search panel, live or finished): every scored
// candidate of search.jsonl, the beam kept at each depth and the best set -- from search_summary.json once
// the search finished, until then ranked from the candidates scored so far.

#include "core/search/search_files.h"

#include <string>
#include <vector>

namespace hpf {

struct SearchFolder {
  std::string folder;                           // absolute path
  std::vector<SearchRecord> candidates;         // in search order
  std::vector<std::vector<SearchRecord>> beam;  // per depth, best first
  SearchRecord best;
  bool has_best = false;
  bool complete = false;    // search_summary.json was read
  int beam_width = 0;       // k (0: unknown)
  std::string description;  // "spair/val, mobilenet_v2, α = 0.1, beam 4, 20 pairs" (complete searches)
};

// Ranks `folder.candidates` per depth (the `k` best, highest score first, ties in search order) and picks the
// best over all depths.
void rank_search_candidates(SearchFolder& folder, int k);

// Reads search.jsonl (a partial last line of a search still writing is ignored) and search_summary.json when
// present. Throws std::runtime_error naming the file, line and field for malformed content, or when the
// folder has neither file.
SearchFolder read_search_folder(const std::string& folder, int beam_width_hint = 4);

}  // namespace hpf
