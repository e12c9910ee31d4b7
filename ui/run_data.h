#pragma once
// One evaluation run as the evaluation panel shows it: its description, its pair records and the core's
// summary of them, plus a PCK curve per SPair-71k difficulty flag value (the core's summarize() applied to
// the pairs with that value). Built from a live run or loaded from a finished run's output folder.

#include "core/eval/pair_record.h"
#include "core/eval/summary.h"
#include "core/fileio/json_lines.h"
#include "ui/match_settings.h"

#include <QJsonObject>
#include <QString>

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace hpf {

class Backbone;

struct RunData {
  QString folder;
  RunDescription run;
  std::vector<PairRecord> records;  // empty when loaded from summary.json alone
  Summary summary;
  // flag key ("viewpoint_variation") -> flag value ("2") -> PCK at each summary.curve_alphas.
  std::map<std::string, std::map<std::string, std::vector<double>>> difficulty_curves;
  bool complete = false;  // summary.json exists / the run finished

  // "mobilenet_v2 (4,7,10) on spair/test" (and the folder name).
  // The matching method in capitals ("HPF", "SCOT"), from the recorded options (HPF for older runs).
  QString method() const;
  QString label() const;
  // The alpha the pair table shows: 0.1 when the run has it (the paper's headline), else the first one.
  std::string headline_alpha() const;
  // Each scored pair's PCK at `alpha`, by pair id.
  // Each pair's warnings, by pair id (pairs without any are absent).
  std::unordered_map<std::string, std::vector<std::string>> warnings_by_pair() const;
  std::unordered_map<std::string, double> pck_by_pair(const std::string& alpha) const;
};

// What run.json / summary.json record about the model, as the CLI's `hpf eval` writes it; `filter` (the
// browser's filter, empty when none) goes into the options so a resume with another filter is refused.
RunDescription describe_gui_run(const MatchSettings& settings, const Backbone& backbone,
                                const std::string& weights, const QJsonObject& filter);

// Summarizes `records` with the core (summary and per-difficulty curves).
RunData make_run_data(RunDescription run, std::vector<PairRecord> records, const QString& folder,
                      bool complete);

// Reads a run's output folder: run.json or summary.json for the description, pairs.jsonl for the records
// (summarized again, so curves per difficulty are available); without pairs.jsonl, summary.json and
// pck_curve.csv are read as they are. Throws std::runtime_error naming the file and what is wrong.
RunData load_run_folder(const QString& folder);

// Appends the records added to a growing pairs.jsonl since the last call (a run in progress).
class RecordTail {
 public:
  explicit RecordTail(std::string path) : lines_(std::move(path)) {}
  // Returns the number of records appended; a file that shrank (a resume cutting a partial line) is read
  // again from the start into a cleared `records`.
  size_t read_new(std::vector<PairRecord>& records);

 private:
  JsonLinesTail lines_;
};

}  // namespace hpf
