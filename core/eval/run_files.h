#pragma once
// An evaluation's output folder, written and read in one place: run.json (what the run is), pairs.jsonl (one
// record per pair, appended as the run goes), summary.json and pck_curve.csv (written once the run is
// complete). The CLI, the GUI's evaluation panel and `hpf merge` all read runs through this module.

#include "core/eval/pair_record.h"
#include "core/eval/summary.h"

#include <optional>
#include <string>
#include <vector>

namespace hpf {

// pairs.jsonl: every complete record (a partial last line of a killed run is not one). Throws naming file and
// line for a malformed record.
std::vector<PairRecord> read_pair_records(const std::string& path);

// summary.json and pck_curve.csv of `dir`, atomically.
void write_summary_files(const std::string& dir, const Summary& summary, const RunDescription& run);

// The summary as summary.json and pck_curve.csv hold it (pck_curve.csv is optional). Throws naming file, line
// and field for malformed content.
Summary read_summary_files(const std::string& summary_path, const std::string& curve_path);

// What an output folder holds: the description from run.json (else summary.json), the records when
// pairs.jsonl exists, and the written summary when summary.json exists.
struct EvalFolder {
  RunDescription run;
  std::optional<std::vector<PairRecord>> records;
  std::optional<Summary> summary;  // as written (complete runs only)
};

// Throws std::runtime_error naming the folder when it is no evaluation output folder.
EvalFolder read_eval_folder(const std::string& dir);

}  // namespace hpf
