#pragma once
// The aggregate of an evaluation, computed from its pair records alone (so a resumed or merged run gives the
// same summary as an uninterrupted one): summary.json, pck_curve.csv and the terminal table.

#include "core/eval/eval_options.h"
#include "core/eval/pair_record.h"

#include <map>
#include <string>
#include <vector>

class QJsonObject;

namespace hpf {

// Everything that identifies a run and goes into summary.json (no timings, no paths of the output).
struct RunDescription {
  std::string dataset, split, backbone, weights, layers, device;
  std::string weights_sha256;  // of the weights file's bytes; empty when the weights came from no file
  std::string threshold;       // "img" or "bbox"
  PckKind pck = PckKind::PerImage;
  std::vector<std::string> alphas;
  std::string options_json;   // matcher options as a JSON object text
  std::string versions_json;  // tool / library versions as a JSON object text
};

struct Summary {
  int64_t pairs = 0, skipped = 0, keypoints = 0, uncovered = 0;
  std::map<std::string, double> pck;                                      // alpha -> value
  std::map<std::string, std::map<std::string, double>> pck_per_category;  // category -> alpha -> value
  std::map<std::string, std::map<std::string, std::map<std::string, double>>>
      pck_per_difficulty;  // flag -> value -> alpha
  std::optional<double> lt_acc, iou;
  // Every pair's warnings (legal but noteworthy: a keypoint slightly outside its image, a GPU fallback,
  // SCOT's doubled epsilon), as {pair id, message}, in pair order.
  std::vector<std::pair<std::string, std::string>> warnings;
  std::vector<double> curve_alphas;  // 0, 0.01, ..., 0.2
  std::vector<double> curve;         // overall PCK at each curve alpha
  std::map<std::string, std::vector<double>> curve_per_category;
};

// Records are sorted by index first; skipped records (error set) count in `skipped` only.
Summary summarize(std::vector<PairRecord> records, const std::vector<std::string>& alphas, PckKind kind);

std::string summary_json(const Summary& summary, const RunDescription& run);

// The description fields run.json and summary.json share (dataset, split, backbone, weights, layers,
// threshold, pck_kind, alphas, options, versions), written into / read from a JSON object. run.json adds the
// device.
void put_run_fields(QJsonObject& object, const RunDescription& run);
// Throws std::runtime_error naming `path` when 'alphas' is not a non-empty array of strings.
RunDescription run_fields_from_json(const QJsonObject& object, const std::string& path);
std::string pck_curve_csv(const Summary& summary);
// The paper's layout: one row per category and the mean, one column per alpha, values in percent.
std::string summary_table(const Summary& summary, const RunDescription& run);

}  // namespace hpf
