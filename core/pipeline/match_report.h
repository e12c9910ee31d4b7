#pragma once
// What `hpf match` (and the GUI's "export results") writes: matches.json and a side-by-side figure.

#include "core/pipeline/pair_matching.h"

#include <string>
#include <vector>

namespace hpf {

// The options a match ran with, echoed into the report so a result can be reproduced.
struct MatchProvenance {
  std::string source_path, target_path;
  std::string backbone, weights, device;
};

struct MatchReport {
  MatchProvenance provenance;
  MatchOptions options;
  std::vector<Point2> source_points;  // original source pixels
  std::vector<TransferredPoint> transferred;
  int source_width = 0, source_height = 0, target_width = 0, target_height = 0;
  float source_ratio = 1, target_ratio = 1;  // original -> resized
  int64_t source_hyperpixels = 0, target_hyperpixels = 0;
  StageTimings timings;
  std::string notice;  // MatchedPair::notice: warnings about how the pair ran ("" when none)
};

MatchReport make_match_report(const MatchedPair& pair, const MatchProvenance& provenance,
                              const MatchOptions& options, const std::vector<Point2>& source_points,
                              const std::vector<TransferredPoint>& transferred);

// The report as JSON text (schema in docs: transferred_kps, covering, resize_ratio, timings_ms, options...).
std::string match_report_json(const MatchReport& report);

// Side-by-side figure: source (left) with its keypoints, target (right) with the transferred keypoints, a
// line per match, one colour per keypoint; uncovered keypoints are drawn as a cross on the source only. PNG
// bytes.
std::string match_figure_png(const DecodedImage& source, const DecodedImage& target,
                             const MatchReport& report);

// Writes DIR/matches.json and DIR/matches.png atomically (creating DIR).
void write_match_outputs(const std::string& dir, const DecodedImage& source, const DecodedImage& target,
                         const MatchReport& report);

}  // namespace hpf
