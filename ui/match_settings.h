#pragma once
// Everything the user chooses about a pair's run: the model, core's own MatchOptions (one set of defaults,
// one check(), shared with the CLI), and what the pair view shows (α, threshold, grid). Persists in
// QSettings.

#include "core/compute/match_options.h"

#include <QSettings>
#include <QString>

namespace hpf {

enum class ThresholdChoice { Image, BoundingBox };

struct MatchSettings {
  QString backbone = QStringLiteral("mobilenet_v2");
  QString weights_path;  // empty: the weights cache's verified default file for the backbone
  QString device = QStringLiteral("auto");
  MatchOptions match;  // match.layers empty: the backbone's default set
  double alpha = 0.1;
  ThresholdChoice threshold = ThresholdChoice::BoundingBox;
  int grid_per_side = 6;  // points transferred when a pair has no ground-truth keypoints

  // Whether switching from `other` to this needs the pair to be matched again (alpha/threshold do not).
  bool needs_recompute(const MatchSettings& other) const;

  void save(QSettings& settings) const;
  static MatchSettings load(QSettings& settings);
};

// The layer ids of `settings` (the backbone's default set when none are chosen).
LayerSet layer_ids(const MatchSettings& settings);

// Core options for `settings`: its MatchOptions with the layers resolved, checked (OptionError names the
// option).
MatchOptions to_match_options(const MatchSettings& settings);

// The GUI's name of a core option ("kernel_size" -> "Smoothing kernel"), as the settings dock labels it.
QString option_label(const std::string& option);
// "Smoothing kernel: expected an odd number from 1 to 101, got 8".
QString describe_option_error(const OptionError& error);

}  // namespace hpf
