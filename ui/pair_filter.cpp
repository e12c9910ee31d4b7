#include "ui/pair_filter.h"

#include <QStringList>

namespace hpf {

QString flag_key(DifficultyFlag flag) {
  switch (flag) {
    case DifficultyFlag::Viewpoint:
      return QStringLiteral("viewpoint_variation");
    case DifficultyFlag::Scale:
      return QStringLiteral("scale_variation");
    case DifficultyFlag::Truncation:
      return QStringLiteral("truncation");
    case DifficultyFlag::Occlusion:
      return QStringLiteral("occlusion");
  }
  return {};
}

QString flag_title(DifficultyFlag flag) {
  switch (flag) {
    case DifficultyFlag::Viewpoint:
      return QStringLiteral("Viewpoint");
    case DifficultyFlag::Scale:
      return QStringLiteral("Scale");
    case DifficultyFlag::Truncation:
      return QStringLiteral("Truncation");
    case DifficultyFlag::Occlusion:
      return QStringLiteral("Occlusion");
  }
  return {};
}

std::vector<int> flag_values(DifficultyFlag flag) {
  if (flag == DifficultyFlag::Viewpoint || flag == DifficultyFlag::Scale) return {0, 1, 2};
  return {0, 1, 2, 3};
}

QString flag_value_label(DifficultyFlag flag, int value) {
  static const char* const graded[] = {"easy", "medium", "hard"};
  static const char* const sided[] = {"none", "source", "target", "both"};
  if (flag == DifficultyFlag::Viewpoint || flag == DifficultyFlag::Scale) {
    if (value >= 0 && value < 3) return QString::fromLatin1(graded[value]);
  } else if (value >= 0 && value < 4) {
    return QString::fromLatin1(sided[value]);
  }
  return QString::number(value);
}

int flag_of(const PairAnnotation& pair, DifficultyFlag flag) {
  switch (flag) {
    case DifficultyFlag::Viewpoint:
      return pair.viewpoint_variation;
    case DifficultyFlag::Scale:
      return pair.scale_variation;
    case DifficultyFlag::Truncation:
      return pair.truncation;
    case DifficultyFlag::Occlusion:
      return pair.occlusion;
  }
  return -1;
}

const std::map<int, size_t>& flag_counts(const DatasetStatistics& stats, DifficultyFlag flag) {
  switch (flag) {
    case DifficultyFlag::Viewpoint:
      return stats.viewpoint_variation;
    case DifficultyFlag::Scale:
      return stats.scale_variation;
    case DifficultyFlag::Truncation:
      return stats.truncation;
    case DifficultyFlag::Occlusion:
      break;
  }
  return stats.occlusion;
}

namespace {

bool contains(const std::string& haystack, const QString& needle) {
  return QString::fromStdString(haystack).contains(needle, Qt::CaseInsensitive);
}

}  // namespace

bool PairFilter::accepts(const PairAnnotation& pair) const {
  if (!category.isEmpty() && pair.category != category.toStdString()) return false;
  for (DifficultyFlag f : kDifficultyFlags) {
    if (flag(f) >= 0 && flag_of(pair, f) != flag(f)) return false;
  }
  if (!text.isEmpty() && !contains(pair.id, text) && !contains(pair.category, text) &&
      !contains(pair.source_image, text) && !contains(pair.target_image, text)) {
    return false;
  }
  return true;
}

bool PairFilter::is_empty() const {
  for (int v : flags) {
    if (v >= 0) return false;
  }
  return category.isEmpty() && text.isEmpty();
}

QJsonObject PairFilter::to_json() const {
  QJsonObject o;
  if (!category.isEmpty()) o["category"] = category;
  for (DifficultyFlag f : kDifficultyFlags) {
    if (flag(f) >= 0) o[flag_key(f)] = flag(f);
  }
  if (!text.isEmpty()) o["text"] = text;
  return o;
}

QString PairFilter::describe() const {
  QStringList parts;
  if (!category.isEmpty()) parts << QStringLiteral("category: %1").arg(category);
  for (DifficultyFlag f : kDifficultyFlags) {
    if (flag(f) >= 0)
      parts << QStringLiteral("%1: %2").arg(flag_title(f).toLower(), flag_value_label(f, flag(f)));
  }
  if (!text.isEmpty()) parts << QStringLiteral("text: \"%1\"").arg(text);
  return parts.isEmpty() ? QStringLiteral("no filter") : parts.join(QStringLiteral(", "));
}

std::vector<int> filter_pairs(const std::vector<PairAnnotation>& pairs, const PairFilter& filter) {
  std::vector<int> indices;
  indices.reserve(pairs.size());
  const bool all = filter.is_empty();
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (all || filter.accepts(pairs[i])) indices.push_back(static_cast<int>(i));
  }
  return indices;
}

DatasetStatistics statistics_of(const std::vector<PairAnnotation>& pairs, const std::vector<int>& indices) {
  // The core's dataset_statistics() takes whole pairs; the subset is copied without the keypoint arrays (only
  // their count matters) so that 70k pairs stay cheap.
  std::vector<PairAnnotation> subset;
  subset.reserve(indices.size());
  for (int i : indices) {
    const PairAnnotation& p = pairs[static_cast<size_t>(i)];
    PairAnnotation light;
    light.category = p.category;
    light.source_kps.resize(p.source_kps.size());
    light.viewpoint_variation = p.viewpoint_variation;
    light.scale_variation = p.scale_variation;
    light.truncation = p.truncation;
    light.occlusion = p.occlusion;
    light.mirror = p.mirror;
    subset.push_back(std::move(light));
  }
  return dataset_statistics(subset);
}

}  // namespace hpf
