#pragma once
// Which pairs of a split the dataset browser shows (and an evaluation runs on): a category, SPair-71k
// difficulty flag values and free text. Pure functions so the worker thread can apply them to 70k pairs.

#include "datasets/dataset.h"
#include "datasets/statistics.h"

#include <QJsonObject>
#include <QString>

#include <array>
#include <vector>

namespace hpf {

// The SPair-71k difficulty flags the browser filters by, in the order of the paper's statistics table.
enum class DifficultyFlag { Viewpoint, Scale, Truncation, Occlusion };
constexpr std::array<DifficultyFlag, 4> kDifficultyFlags = {
    DifficultyFlag::Viewpoint, DifficultyFlag::Scale, DifficultyFlag::Truncation, DifficultyFlag::Occlusion};

// "viewpoint_variation", ... as pairs.jsonl and summary.json name them.
QString flag_key(DifficultyFlag flag);
// "Viewpoint", "Scale", ...
QString flag_title(DifficultyFlag flag);
// The values a flag takes: {0, 1, 2} for viewpoint/scale, {0, 1, 2, 3} for truncation/occlusion.
std::vector<int> flag_values(DifficultyFlag flag);
// "easy", "medium", "hard"; "none", "source", "target", "both"; the number for anything else.
QString flag_value_label(DifficultyFlag flag, int value);
// The pair's value of `flag` (-1 where the dataset has none).
int flag_of(const PairAnnotation& pair, DifficultyFlag flag);
// The per-value counts of `flag` in `stats`.
const std::map<int, size_t>& flag_counts(const DatasetStatistics& stats, DifficultyFlag flag);

struct PairFilter {
  QString category;                          // empty: every category
  std::array<int, 4> flags{-1, -1, -1, -1};  // per DifficultyFlag; -1: any value
  QString text;                              // case-insensitive substring of id, category or image names

  int& flag(DifficultyFlag f) { return flags[static_cast<size_t>(f)]; }
  int flag(DifficultyFlag f) const { return flags[static_cast<size_t>(f)]; }
  bool accepts(const PairAnnotation& pair) const;
  bool is_empty() const;
  // {"category": ..., "viewpoint_variation": 2, "text": ...} with only the constraints that are set; recorded
  // in an evaluation's run.json so that a resume with a different filter is refused.
  QJsonObject to_json() const;
  // "viewpoint: hard, category: cat" or "no filter".
  QString describe() const;
};

// Indices (into `pairs`) of the pairs `filter` accepts, in file order.
std::vector<int> filter_pairs(const std::vector<PairAnnotation>& pairs, const PairFilter& filter);

// Statistics of the pairs at `indices` (the paper's table for the filtered subset).
DatasetStatistics statistics_of(const std::vector<PairAnnotation>& pairs, const std::vector<int>& indices);

}  // namespace hpf
