#include "ui/run_data.h"

#include "core/eval/evaluation_job.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <stdexcept>

namespace hpf {

namespace {

std::string text_of(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    throw std::runtime_error(path.toStdString() + ": cannot be read (" + f.errorString().toStdString() + ")");
  }
  return f.readAll().toStdString();
}

QJsonObject json_object(const QString& path) {
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(text_of(path)), &error);
  if (error.error != QJsonParseError::NoError) {
    throw std::runtime_error(path.toStdString() + ": invalid JSON at byte " + std::to_string(error.offset) +
                             ": " + error.errorString().toStdString());
  }
  if (!doc.isObject()) throw std::runtime_error(path.toStdString() + ": expected a JSON object");
  return doc.object();
}

std::map<std::string, double> alpha_values(const QJsonObject& o) {
  std::map<std::string, double> values;
  for (auto it = o.begin(); it != o.end(); ++it) values[it.key().toStdString()] = it.value().toDouble();
  return values;
}

// summary.json + pck_curve.csv as written by the core, for a folder without pairs.jsonl.
Summary summary_from_files(const QJsonObject& o, const QString& curve_path) {
  Summary s;
  s.pairs = o["pairs"].toInteger();
  s.skipped = o["skipped"].toInteger();
  s.keypoints = o["keypoints"].toInteger();
  s.uncovered = o["uncovered_keypoints"].toInteger();
  s.pck = alpha_values(o["pck"].toObject());
  const QJsonObject categories = o["pck_per_category"].toObject();
  for (auto it = categories.begin(); it != categories.end(); ++it) {
    s.pck_per_category[it.key().toStdString()] = alpha_values(it.value().toObject());
  }
  const QJsonObject flags = o["pck_per_difficulty"].toObject();
  for (auto f = flags.begin(); f != flags.end(); ++f) {
    const QJsonObject values = f.value().toObject();
    for (auto v = values.begin(); v != values.end(); ++v) {
      s.pck_per_difficulty[f.key().toStdString()][v.key().toStdString()] = alpha_values(v.value().toObject());
    }
  }
  if (o.contains("lt_acc")) s.lt_acc = o["lt_acc"].toDouble();
  if (o.contains("iou")) s.iou = o["iou"].toDouble();
  if (!QFileInfo::exists(curve_path)) return s;
  const QStringList lines = QString::fromStdString(text_of(curve_path)).split('\n', Qt::SkipEmptyParts);
  if (lines.isEmpty()) return s;
  QStringList header = lines[0].split(',');
  for (QString& h : header) h.remove('"');
  if (header.size() < 2 || header[0] != QLatin1String("alpha")) {
    throw std::runtime_error(curve_path.toStdString() +
                             ": line 1: expected a header 'alpha,all,...', found '" + lines[0].toStdString() +
                             "'");
  }
  for (int l = 1; l < lines.size(); ++l) {
    const QStringList cells = lines[l].split(',');
    if (cells.size() != header.size()) {
      throw std::runtime_error(curve_path.toStdString() + ": line " + std::to_string(l + 1) + ": expected " +
                               std::to_string(header.size()) + " values, found " +
                               std::to_string(cells.size()));
    }
    std::vector<double> row;
    for (const QString& c : cells) {
      bool ok = false;
      row.push_back(c.toDouble(&ok));
      if (!ok) {
        throw std::runtime_error(curve_path.toStdString() + ": line " + std::to_string(l + 1) +
                                 ": expected numbers, found '" + c.toStdString() + "'");
      }
    }
    s.curve_alphas.push_back(row[0]);
    s.curve.push_back(row[1]);
    for (int c = 2; c < header.size(); ++c) s.curve_per_category[header[c].toStdString()].push_back(row[c]);
  }
  return s;
}

}  // namespace

QString RunData::label() const {
  QString text = QStringLiteral("%1 (%2) on %3/%4")
                     .arg(QString::fromStdString(run.backbone), QString::fromStdString(run.layers),
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

std::unordered_map<std::string, double> RunData::pck_by_pair(const std::string& alpha) const {
  std::unordered_map<std::string, double> out;
  for (const PairRecord& r : records) {
    const auto found = r.pck.find(alpha);
    if (r.error.empty() && found != r.pck.end()) out[r.id] = found->second;
  }
  return out;
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
  const QDir dir(folder);
  if (!dir.exists()) throw std::runtime_error(folder.toStdString() + ": no such folder");
  const QString run_path = dir.filePath("run.json"), summary_path = dir.filePath("summary.json");
  const QString records_path = dir.filePath("pairs.jsonl");
  const bool has_run = QFileInfo::exists(run_path), has_summary = QFileInfo::exists(summary_path);
  if (!has_run && !has_summary) {
    throw std::runtime_error(folder.toStdString() +
                             ": not an evaluation output folder (expected run.json or summary.json)");
  }
  const RunDescription run = has_run ? run_fields_from_json(json_object(run_path), run_path.toStdString())
                                     : run_fields_from_json(json_object(summary_path), summary_path.toStdString());
  if (QFileInfo::exists(records_path)) {
    std::vector<PairRecord> records = read_pair_records(records_path.toStdString());
    return make_run_data(run, std::move(records), QDir(folder).absolutePath(), has_summary);
  }
  if (!has_summary) {
    throw std::runtime_error(folder.toStdString() +
                             ": neither pairs.jsonl nor summary.json: nothing to show");
  }
  RunData data;
  data.folder = QDir(folder).absolutePath();
  data.run = run;
  data.complete = true;
  data.summary = summary_from_files(json_object(summary_path), dir.filePath("pck_curve.csv"));
  return data;
}

size_t RecordTail::read_new(std::vector<PairRecord>& records) {
  QFile f(QString::fromStdString(path_));
  if (!f.open(QIODevice::ReadOnly)) return 0;  // not created yet
  if (f.size() < offset_) {
    offset_ = 0;
    records.clear();
  }
  if (!f.seek(offset_)) return 0;
  const QByteArray chunk = f.readAll();
  const qsizetype end = chunk.lastIndexOf('\n');
  if (end < 0) return 0;
  size_t added = 0;
  long long line_start = 0;
  while (line_start <= end) {
    const qsizetype newline = chunk.indexOf('\n', line_start);
    const QByteArray line = chunk.mid(line_start, newline - line_start);
    line_start = newline + 1;
    if (line.trimmed().isEmpty()) continue;
    records.push_back(record_from_json_line(line.toStdString()));
    ++added;
  }
  offset_ += end + 1;
  return added;
}

}  // namespace hpf
