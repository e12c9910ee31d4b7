#pragma once
// The layer search's files: search.jsonl (one line per scored candidate), search_progress.jsonl (one line per
// pair of the depth in flight, so an interrupted depth resumes pair by pair), search_summary.json.
// Lines are appended, flushed and synced one at a time; a partial last line (a killed run) is ignored and
// cut.

#include "core/compute/layer_set.h"
#include "core/fileio/json_lines.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace hpf {

struct SearchRecord {
  int depth = 0;
  LayerSet layers;
  double score = 0;    // mean per-pair PCK, a fraction
  double seconds = 0;  // this candidate's share of the compute time
};

// One pair of a depth: the PCK of every candidate of the depth (in candidate order) and their time shares.
struct ProgressRecord {
  int depth = 0;
  int64_t pair = 0;  // position of the pair in the search's pair list
  std::vector<double> pck, seconds;
};

std::string search_line(const SearchRecord& record);
SearchRecord parse_search_line(const std::string& line);  // throws std::runtime_error naming the field
std::string progress_line(const ProgressRecord& record);
ProgressRecord parse_progress_line(const std::string& line);

}  // namespace hpf
