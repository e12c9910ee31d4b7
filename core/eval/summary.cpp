#include "core/eval/summary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace hpf {
namespace {

// Accumulates PCK either per image (mean of pair fractions) or per keypoint (pooled counts).
struct PckAccumulator {
  double pair_sum = 0;
  int64_t pairs = 0, correct = 0, keypoints = 0;
  void add(const std::vector<bool>& flags) {
    int64_t c = std::count(flags.begin(), flags.end(), true);
    pair_sum += flags.empty() ? 0.0 : static_cast<double>(c) / static_cast<double>(flags.size());
    ++pairs;
    correct += c;
    keypoints += static_cast<int64_t>(flags.size());
  }
  double value(PckKind kind) const {
    if (kind == PckKind::PerImage) return pairs ? pair_sum / static_cast<double>(pairs) : 0.0;
    return keypoints ? static_cast<double>(correct) / static_cast<double>(keypoints) : 0.0;
  }
};

std::vector<bool> within(const std::vector<double>& normalized, double alpha) {
  std::vector<bool> flags;
  for (double d : normalized) flags.push_back(d >= 0 && d <= alpha);
  return flags;
}

QJsonObject alpha_object(const std::map<std::string, double>& values) {
  QJsonObject o;
  for (const auto& [alpha, v] : values) o[QString::fromStdString(alpha)] = v;
  return o;
}

}  // namespace

std::string pck_kind_name(PckKind kind) {
  return kind == PckKind::PerImage ? "per-image" : "per-keypoint";
}
std::string threshold_name(ThresholdKind kind) {
  return kind == ThresholdKind::Image ? "img" : "bbox";
}

Summary summarize(std::vector<PairRecord> records, const std::vector<std::string>& alphas, PckKind kind) {
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  Summary s;
  for (int i = 0; i <= 20; ++i) s.curve_alphas.push_back(i / 100.0);
  std::map<std::string, PckAccumulator> overall;
  std::map<std::string, std::map<std::string, PckAccumulator>> per_category;
  std::map<std::string, std::map<std::string, std::map<std::string, PckAccumulator>>> per_flag;
  std::vector<PckAccumulator> curve(s.curve_alphas.size());
  std::map<std::string, std::vector<PckAccumulator>> curve_category;
  double lt_sum = 0, iou_sum = 0;
  int64_t mask_pairs = 0;
  for (const PairRecord& r : records) {
    for (const std::string& w : r.warnings) s.warnings.emplace_back(r.id, w);
    if (!r.error.empty()) {
      ++s.skipped;
      continue;
    }
    ++s.pairs;
    if (r.lt_acc) {
      lt_sum += *r.lt_acc;
      iou_sum += r.iou.value_or(0.0);
      ++mask_pairs;
      continue;
    }
    s.keypoints += static_cast<int64_t>(r.gt_kps.size());
    for (const auto& p : r.pred_kps) s.uncovered += p ? 0 : 1;
    for (const std::string& alpha : alphas) {
      const auto found = r.correct.find(alpha);
      if (found == r.correct.end()) continue;
      overall[alpha].add(found->second);
      per_category[r.category][alpha].add(found->second);
      for (const auto& [flag, value] : r.flags)
        per_flag[flag][std::to_string(value)][alpha].add(found->second);
    }
    auto& category_curve = curve_category[r.category];
    category_curve.resize(s.curve_alphas.size());
    for (size_t i = 0; i < s.curve_alphas.size(); ++i) {
      // A hair of slack so that a keypoint exactly on a grid threshold is not lost to the rounding of d / T.
      const std::vector<bool> flags = within(r.normalized_distance, s.curve_alphas[i] + 1e-12);
      curve[i].add(flags);
      category_curve[i].add(flags);
    }
  }
  for (const auto& [alpha, acc] : overall) s.pck[alpha] = acc.value(kind);
  for (const auto& [category, by_alpha] : per_category) {
    for (const auto& [alpha, acc] : by_alpha) s.pck_per_category[category][alpha] = acc.value(kind);
  }
  for (const auto& [flag, by_value] : per_flag) {
    for (const auto& [value, by_alpha] : by_value) {
      for (const auto& [alpha, acc] : by_alpha) s.pck_per_difficulty[flag][value][alpha] = acc.value(kind);
    }
  }
  if (mask_pairs) {
    s.lt_acc = lt_sum / static_cast<double>(mask_pairs);
    s.iou = iou_sum / static_cast<double>(mask_pairs);
  }
  if (s.keypoints) {
    for (const auto& acc : curve) s.curve.push_back(acc.value(kind));
    for (const auto& [category, accs] : curve_category) {
      for (const auto& acc : accs) s.curve_per_category[category].push_back(acc.value(kind));
    }
  }
  return s;
}

void put_run_fields(QJsonObject& o, const RunDescription& run) {
  o["dataset"] = QString::fromStdString(run.dataset);
  o["split"] = QString::fromStdString(run.split);
  o["backbone"] = QString::fromStdString(run.backbone);
  o["weights"] = QString::fromStdString(run.weights);
  if (!run.weights_sha256.empty()) o["weights_sha256"] = QString::fromStdString(run.weights_sha256);
  o["layers"] = QString::fromStdString(run.layers);
  o["threshold"] = QString::fromStdString(run.threshold);
  o["pck_kind"] = QString::fromStdString(pck_kind_name(run.pck));
  QJsonArray alphas;
  for (const auto& a : run.alphas) alphas.append(QString::fromStdString(a));
  o["alphas"] = alphas;
  o["options"] = QJsonDocument::fromJson(QByteArray::fromStdString(run.options_json)).object();
  o["versions"] = QJsonDocument::fromJson(QByteArray::fromStdString(run.versions_json)).object();
}

RunDescription run_fields_from_json(const QJsonObject& o, const std::string& path) {
  RunDescription run;
  run.dataset = o["dataset"].toString().toStdString();
  run.split = o["split"].toString().toStdString();
  run.backbone = o["backbone"].toString().toStdString();
  run.weights = o["weights"].toString().toStdString();
  run.weights_sha256 = o["weights_sha256"].toString().toStdString();
  run.layers = o["layers"].toString().toStdString();
  run.device = o["device"].toString().toStdString();
  run.threshold = o["threshold"].toString().toStdString();
  run.pck =
      o["pck_kind"].toString() == QLatin1String("per-keypoint") ? PckKind::PerKeypoint : PckKind::PerImage;
  if (!o["alphas"].isArray() || o["alphas"].toArray().isEmpty()) {
    throw std::runtime_error(path + ": field 'alphas': expected a non-empty array of strings");
  }
  for (const QJsonValue& a : o["alphas"].toArray()) {
    if (!a.isString()) throw std::runtime_error(path + ": field 'alphas': expected strings");
    run.alphas.push_back(a.toString().toStdString());
  }
  run.options_json = QJsonDocument(o["options"].toObject()).toJson(QJsonDocument::Compact).toStdString();
  run.versions_json = QJsonDocument(o["versions"].toObject()).toJson(QJsonDocument::Compact).toStdString();
  return run;
}

std::string summary_json(const Summary& s, const RunDescription& run) {
  QJsonObject root;
  put_run_fields(root, run);
  root["pairs"] = static_cast<qint64>(s.pairs);
  root["skipped"] = static_cast<qint64>(s.skipped);
  root["keypoints"] = static_cast<qint64>(s.keypoints);
  root["uncovered_keypoints"] = static_cast<qint64>(s.uncovered);
  QJsonArray warnings;
  for (const auto& [pair, message] : s.warnings) {
    warnings.append(
        QJsonObject{{"pair", QString::fromStdString(pair)}, {"message", QString::fromStdString(message)}});
  }
  root["warnings"] = warnings;
  if (!s.pck.empty()) root["pck"] = alpha_object(s.pck);
  if (!s.pck_per_category.empty()) {
    QJsonObject categories;
    for (const auto& [category, values] : s.pck_per_category)
      categories[QString::fromStdString(category)] = alpha_object(values);
    root["pck_per_category"] = categories;
  }
  if (!s.pck_per_difficulty.empty()) {
    QJsonObject flags;
    for (const auto& [flag, by_value] : s.pck_per_difficulty) {
      QJsonObject values;
      for (const auto& [value, by_alpha] : by_value)
        values[QString::fromStdString(value)] = alpha_object(by_alpha);
      flags[QString::fromStdString(flag)] = values;
    }
    root["pck_per_difficulty"] = flags;
  }
  if (s.lt_acc) root["lt_acc"] = *s.lt_acc;
  if (s.iou) root["iou"] = *s.iou;
  return QJsonDocument(root).toJson(QJsonDocument::Indented).toStdString();
}

std::string pck_curve_csv(const Summary& s) {
  std::ostringstream out;
  out << "alpha,all";
  for (const auto& [category, values] : s.curve_per_category) {
    out << ",\"" << category << "\"";
  }
  out << "\n";
  char buffer[64];
  for (size_t i = 0; i < s.curve.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, "%.2f,%.6f", s.curve_alphas[i], s.curve[i]);
    out << buffer;
    for (const auto& [category, values] : s.curve_per_category) {
      std::snprintf(buffer, sizeof buffer, ",%.6f", values[i]);
      out << buffer;
    }
    out << "\n";
  }
  return out.str();
}

std::string summary_table(const Summary& s, const RunDescription& run) {
  std::ostringstream out;
  char cell[64];
  if (s.lt_acc) {
    std::snprintf(cell, sizeof cell, "LT-ACC %.3f  IoU %.3f  over %lld pairs\n", *s.lt_acc, s.iou.value_or(0),
                  static_cast<long long>(s.pairs));
    return cell;
  }
  size_t width = 8;
  for (const auto& [category, values] : s.pck_per_category) width = std::max(width, category.size());
  out << run.dataset << " " << run.split << ", " << run.backbone << " (" << run.layers << "), PCK "
      << pck_kind_name(run.pck) << " (" << run.threshold << " threshold), " << s.pairs << " pairs\n";
  out << std::string(width, ' ');
  for (const auto& alpha : run.alphas) {
    std::snprintf(cell, sizeof cell, "  %8s", ("a=" + alpha).c_str());
    out << cell;
  }
  out << "\n" << std::string(width + 10 * run.alphas.size(), '-') << "\n";
  auto row = [&](const std::string& name, const std::map<std::string, double>& values) {
    out << name << std::string(width - std::min(width, name.size()), ' ');
    for (const auto& alpha : run.alphas) {
      const auto found = values.find(alpha);
      std::snprintf(cell, sizeof cell, "  %8.2f", found == values.end() ? 0.0 : 100.0 * found->second);
      out << cell;
    }
    out << "\n";
  };
  for (const auto& [category, values] : s.pck_per_category) row(category, values);
  out << std::string(width + 10 * run.alphas.size(), '-') << "\n";
  row("all", s.pck);
  if (s.uncovered) out << s.uncovered << " keypoints had no covering hyperpixel (counted wrong)\n";
  if (s.skipped) out << s.skipped << " pairs skipped (see pairs.jsonl 'error')\n";
  if (!s.warnings.empty()) out << s.warnings.size() << " warnings (summary.json 'warnings', pairs.jsonl)\n";
  return out.str();
}

}  // namespace hpf
