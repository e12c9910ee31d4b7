#include "ui/run_data.h"

#include "core/eval/run_description.h"
#include "core/eval/run_files.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <stdexcept>

namespace hpf {

QString RunData::method() const {
  return QJsonDocument::fromJson(QByteArray::fromStdString(run.options_json))
      .object()
      .value("method")
      .toString("hpf")
      .toUpper();
}

QString RunData::label() const {
  QString text = QStringLiteral("%1 %2 (%3) on %4/%5")
                     .arg(method(), QString::fromStdString(run.backbone), QString::fromStdString(run.layers),
                          QString::fromStdString(run.dataset), QString::fromStdString(run.split));
  if (!folder.isEmpty()) text += QStringLiteral(" — ") + QFileInfo(folder).fileName();
  return text;
}

std::string RunData::headline_alpha() const {
  for (const std::string& a : run.alphas) {
    bool ok = false;
    if (QString::fromStdString(a).toDouble(&ok) == 0.1 && ok) return a;
  }
  return run.alphas.empty() ? std::string() : run.alphas.front();
}

std::unordered_map<std::string, std::vector<std::string>> RunData::warnings_by_pair() const {
  std::unordered_map<std::string, std::vector<std::string>> out;
  for (const PairRecord& r : records) {
    if (!r.warnings.empty()) out[r.id] = r.warnings;
  }
  return out;
}

std::unordered_map<std::string, double> RunData::pck_by_pair(const std::string& alpha) const {
  std::unordered_map<std::string, double> out;
  for (const PairRecord& r : records) {
    const auto found = r.pck.find(alpha);
    if (r.error.empty() && found != r.pck.end()) out[r.id] = found->second;
  }
  return out;
}

RunDescription describe_gui_run(const MatchSettings& settings, const Backbone& backbone,
                                const std::string& weights, const QJsonObject& filter) {
  QJsonObject extra;
  if (!filter.isEmpty()) extra["filter"] = filter;
  return describe_run(
      backbone, weights, to_match_options(settings),
      extra.isEmpty() ? "" : QJsonDocument(extra).toJson(QJsonDocument::Compact).toStdString());
}

RunData make_run_data(RunDescription run, std::vector<PairRecord> records, const QString& folder,
                      bool complete) {
  RunData data;
  data.folder = folder;
  data.complete = complete;
  data.summary = summarize(records, run.alphas, run.pck);
  // One summary per flag value: the core's curve for the pairs with that value.
  std::map<std::string, std::map<std::string, std::vector<PairRecord>>> groups;
  for (const PairRecord& r : records) {
    for (const auto& [flag, value] : r.flags) groups[flag][std::to_string(value)].push_back(r);
  }
  for (auto& [flag, by_value] : groups) {
    for (auto& [value, subset] : by_value) {
      data.difficulty_curves[flag][value] = summarize(std::move(subset), run.alphas, run.pck).curve;
    }
  }
  data.run = std::move(run);
  data.records = std::move(records);
  return data;
}

RunData load_run_folder(const QString& folder) {
  const QString absolute = QDir(folder).absolutePath();
  EvalFolder files = read_eval_folder(folder.toStdString());
  const bool complete = files.summary.has_value();
  if (files.records)
    return make_run_data(std::move(files.run), std::move(*files.records), absolute, complete);
  if (!files.summary) {
    throw std::runtime_error(folder.toStdString() +
                             ": neither pairs.jsonl nor summary.json: nothing to show");
  }
  RunData data;  // summary.json (and pck_curve.csv) alone
  data.folder = absolute;
  data.run = std::move(files.run);
  data.complete = true;
  data.summary = std::move(*files.summary);
  return data;
}

size_t RecordTail::read_new(std::vector<PairRecord>& records) {
  bool restarted = false;
  const std::vector<std::string> lines = lines_.read_new(&restarted);
  if (restarted) records.clear();
  size_t added = 0;
  for (const std::string& line : lines) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    records.push_back(record_from_json_line(line));
    ++added;
  }
  return added;
}

}  // namespace hpf
