#pragma once
// A layer search's output as the search panel shows it: every scored candidate (search.jsonl), the beam kept
// at each depth and the best set (search_summary.json once the search finished; until then ranked from the
// candidates scored so far).

#include <QString>

#include <vector>

namespace hpf {

struct SearchCandidate {
  int depth = 0;
  std::vector<int> layers;
  double score = 0;  // mean per-pair PCK, a fraction
  double seconds = 0;
};

struct SearchResults {
  QString folder;
  std::vector<SearchCandidate> candidates;         // in search order
  std::vector<std::vector<SearchCandidate>> beam;  // per depth, best first
  SearchCandidate best;
  bool has_best = false;
  bool complete = false;  // search_summary.json was read
  int beam_width = 0;     // k (0: unknown)
  QString description;    // "spair/val, mobilenet_v2, α = 0.1, beam 4"
};

// "2,4,7"
QString layers_text(const std::vector<int>& layers);

// Parses one search.jsonl line; throws std::runtime_error naming the field.
SearchCandidate parse_search_candidate(const QByteArray& line);

// Ranks `candidates` per depth (the `k` best, highest score first, ties in search order) and picks the best
// over all depths; used while no summary exists.
void rank_candidates(SearchResults& results, int k);

// Reads a search output folder: search.jsonl (a partial last line is ignored) and search_summary.json when
// present. Throws std::runtime_error naming the file, line and field for malformed content, or when the
// folder has neither file.
SearchResults load_search_folder(const QString& folder, int beam_width_hint = 4);

}  // namespace hpf
