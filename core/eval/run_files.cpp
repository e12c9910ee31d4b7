#include "core/eval/run_files.h"

#include "core/fileio/atomic_file.h"
#include "core/fileio/json_lines.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <filesystem>
#include <stdexcept>

namespace hpf {
namespace {

QJsonObject read_json_object(const std::string& path) {
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(read_text_file(path)), &error);
  if (error.error != QJsonParseError::NoError) {
    throw std::runtime_error(path + ": invalid JSON at byte " + std::to_string(error.offset) + ": " +
                             error.errorString().toStdString());
  }
  if (!doc.isObject()) throw std::runtime_error(path + ": expected a JSON object");
  return doc.object();
}

std::map<std::string, double> alpha_values(const QJsonObject& o) {
  std::map<std::string, double> values;
  for (auto it = o.begin(); it != o.end(); ++it) values[it.key().toStdString()] = it.value().toDouble();
  return values;
}

// pck_curve.csv as pck_curve_csv() writes it: "alpha,all,<category>..." then one row per curve alpha.
void read_pck_curve(const std::string& path, Summary* s) {
  const QStringList lines = QString::fromStdString(read_text_file(path)).split('\n', Qt::SkipEmptyParts);
  if (lines.isEmpty()) return;
  QStringList header = lines[0].split(',');
  for (QString& h : header) h.remove('"');
  if (header.size() < 2 || header[0] != QLatin1String("alpha")) {
    throw std::runtime_error(path + ": line 1: expected a header 'alpha,all,...', found '" +
                             lines[0].toStdString() + "'");
  }
  for (int l = 1; l < lines.size(); ++l) {
    const QStringList cells = lines[l].split(',');
    if (cells.size() != header.size()) {
      throw std::runtime_error(path + ": line " + std::to_string(l + 1) + ": expected " +
                               std::to_string(header.size()) + " values, found " +
                               std::to_string(cells.size()));
    }
    std::vector<double> row;
    for (const QString& c : cells) {
      bool ok = false;
      row.push_back(c.toDouble(&ok));
      if (!ok) {
        throw std::runtime_error(path + ": line " + std::to_string(l + 1) + ": expected numbers, found '" +
                                 c.toStdString() + "'");
      }
    }
    s->curve_alphas.push_back(row[0]);
    s->curve.push_back(row[1]);
    for (int c = 2; c < header.size(); ++c) s->curve_per_category[header[c].toStdString()].push_back(row[c]);
  }
}

bool exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::exists(path, error);
}

}  // namespace

std::vector<PairRecord> read_pair_records(const std::string& path) {
  std::vector<PairRecord> records;
  for (const JsonLine& line : read_complete_lines(path)) {
    try {
      records.push_back(record_from_json_line(line.text));
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(line.number) + ": " + e.what());
    }
  }
  return records;
}

void write_summary_files(const std::string& dir, const Summary& summary, const RunDescription& run) {
  write_file_atomically(dir + "/summary.json", summary_json(summary, run));
  write_file_atomically(dir + "/pck_curve.csv", pck_curve_csv(summary));
}

Summary read_summary_files(const std::string& summary_path, const std::string& curve_path) {
  const QJsonObject o = read_json_object(summary_path);
  Summary s;
  s.pairs = o["pairs"].toInteger();
  s.skipped = o["skipped"].toInteger();
  s.keypoints = o["keypoints"].toInteger();
  s.uncovered = o["uncovered_keypoints"].toInteger();
  for (const QJsonValue& w : o["warnings"].toArray()) {
    s.warnings.emplace_back(w["pair"].toString().toStdString(), w["message"].toString().toStdString());
  }
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
  if (exists(curve_path)) read_pck_curve(curve_path, &s);
  return s;
}

EvalFolder read_eval_folder(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) throw std::runtime_error(dir + ": no such folder");
  const std::string run_path = dir + "/run.json", summary_path = dir + "/summary.json";
  const std::string records_path = dir + "/pairs.jsonl";
  const bool has_run = exists(run_path), has_summary = exists(summary_path);
  if (!has_run && !has_summary) {
    throw std::runtime_error(dir + ": not an evaluation output folder (expected run.json or summary.json)");
  }
  EvalFolder folder;
  const std::string& description_path = has_run ? run_path : summary_path;
  folder.run = run_fields_from_json(read_json_object(description_path), description_path);
  if (exists(records_path)) folder.records = read_pair_records(records_path);
  if (has_summary) folder.summary = read_summary_files(summary_path, dir + "/pck_curve.csv");
  return folder;
}

}  // namespace hpf
