#pragma once
// Everything the user chooses about a run (model, layers, RHM, evaluation), as plain values that persist in
// QSettings. Converting to the core's MatchOptions lives in the .cpp so this header stays free of LibTorch.

#include <QList>
#include <QSettings>
#include <QString>

namespace hpf {

struct MatchOptions;

enum class ThresholdChoice { Image, BoundingBox };

struct MatchSettings {
  QString backbone = QStringLiteral("mobilenet_v2");
  QString weights_path;  // empty: the weights cache's verified default file for the backbone
  QString device = QStringLiteral("auto");
  QString layers;  // "4,7,10" ; empty: the backbone's default set
  double exponent = 3.0;
  int ncells = 8192;
  int kernel_size = 7;
  bool hough_voting = true;
  bool factorized_similarity = true;
  bool prune_margin = true;
  int max_side = 300;
  double alpha = 0.1;
  ThresholdChoice threshold = ThresholdChoice::BoundingBox;
  int grid_per_side = 6;  // points transferred when a pair has no ground-truth keypoints

  // Whether switching from `other` to this needs the pair to be matched again (alpha/threshold do not).
  bool needs_recompute(const MatchSettings& other) const;

  void save(QSettings& settings) const;
  static MatchSettings load(QSettings& settings);
};

// The layer ids of `settings` (the backbone's default set when empty). Throws std::invalid_argument for text
// that holds no id.
QList<int> layer_ids(const MatchSettings& settings);

// Core options for `settings`. Throws std::invalid_argument for invalid values (e.g. an even kernel size).
MatchOptions to_match_options(const MatchSettings& settings);

}  // namespace hpf
