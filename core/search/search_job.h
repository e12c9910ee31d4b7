#pragma once
// The layer search as a job (docs/method.md §7): beam search over hyperpixel layer sets, scored by mean
// per-pair PCK on a split, written as it goes (search.jsonl, search_progress.jsonl), summarised in
// search_summary.json. Resumable (finished candidates and finished pairs of the depth in flight are not
// recomputed), cancellable between pairs, with progress per pair.

#include "core/compute/hyperpixel_flow.h"
#include "core/eval/summary.h"
#include "core/pipeline/job.h"
#include "core/search/beam_search.h"
#include "core/search/search_files.h"
#include "datasets/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hpf {

struct SearchOptions {
  std::string split;  // empty: "val" when the dataset has one, else its default split
  ThresholdKind threshold = ThresholdKind::BoundingBox;  // the reference searches with the bbox threshold
  std::string alpha = "0.1";
  int beam = 4;                 // k
  int depth = 8;                // depths 0 .. depth-1: sets of up to `depth` layers
  std::vector<int> seeds;       // depth-0 layer ids; empty: the reference's 0 .. k-1
  std::vector<int> candidates;  // ids a set may grow by; empty: every layer of the backbone
  DuplicateRule duplicates = DuplicateRule::Skip;
  int per_class = 0;  // > 0: small-set mode, this many random pairs per class
  uint64_t seed = 0;  // of the small-set draw
  int64_t limit = 0;  // > 0: only the first `limit` pairs of the split (before the draw)
  std::string output_dir;
  bool resume = false;
  size_t image_budget_bytes = size_t{4} << 30;  // backbone features kept in memory
  size_t term_budget_bytes = size_t{1} << 30;   // per-pair coarse correlations kept in memory

  // Throws OptionError naming the first option whose value cannot be right ("beam", "depth", "alphas" -- one
  // finite number in (0, 1] --, "limit", "per_class").
  void check() const;
};

struct SearchResult {
  std::string split;
  std::string split_note;             // non-empty when the split was chosen for the user (PF-WILLOW: "test")
  std::vector<size_t> pairs;          // indices into the split of the pairs scored
  std::vector<SearchRecord> records;  // every scored candidate, in search order
  std::vector<std::vector<ScoredSet>> top;  // per depth: the k kept
  ScoredSet best;
  int best_depth = 0;
  int64_t scored_now = 0, resumed = 0;  // candidates finished by this call / found in search.jsonl
  int64_t backbone_passes = 0;
  double seconds = 0;
  bool complete = false;  // all depths done and search_summary.json written
};

// `run` describes the model (backbone, weights, options) for search_run.json; a resume must match it.
// Throws std::invalid_argument for bad options (ids the backbone lacks, k < 1, ...), std::runtime_error for
// an unusable output directory or a resume of a different search.
SearchResult run_search(const Dataset& dataset, Backbone& backbone, const MatchOptions& match,
                        const RunDescription& run, const SearchOptions& options,
                        const JobContext& context = {});

// search_summary.json text.
std::string search_summary_json(const SearchResult& result, const RunDescription& run,
                                const SearchOptions& options);

}  // namespace hpf
