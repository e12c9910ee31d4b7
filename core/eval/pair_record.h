#pragma once
// One evaluated pair: a line of pairs.jsonl, and everything the summary is computed from.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hpf {

struct PairRecord {
  int64_t index = 0;  // position of the pair in the split (sorts records, defines shards)
  std::string id, source, target, category;
  std::map<std::string, int> flags;  // SPair difficulty flags (viewpoint_variation, ...); empty elsewhere
  // Keypoint datasets: predictions and ground truth in ORIGINAL target pixels (nullopt: no hyperpixel covered
  // the source keypoint -- counted wrong, as the reference counts its NaN).
  std::vector<std::optional<std::pair<double, double>>> pred_kps;
  std::vector<std::pair<double, double>> gt_kps;
  double threshold = 0;  // T in original target pixels
  double ratio = 1;      // target resize ratio
  std::vector<double>
      normalized_distance;  // ||pred - gt|| / (T * ratio) in the resized frame; -1 if uncovered
  std::map<std::string, std::vector<bool>> correct;  // per alpha (key as the user wrote it)
  std::map<std::string, double> pck;                 // per alpha, this pair's fraction correct
  // Caltech-101 (polygon datasets): mask agreement instead of PCK.
  std::optional<double> lt_acc, iou;
  // Legal but noteworthy things about how the pair ran (e.g. a GPU fallback); printed and kept with the
  // results.
  std::vector<std::string> warnings;
  double milliseconds = 0;
  std::string error;  // non-empty: the pair was skipped (--skip-bad) for this reason
};

std::string record_to_json_line(const PairRecord& record);  // one line, no trailing newline
PairRecord record_from_json_line(const std::string& line);  // throws std::runtime_error if malformed

}  // namespace hpf
