#include "ui/search_results.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <algorithm>
#include <stdexcept>

namespace hpf {

namespace {

std::vector<int> int_list(const QJsonValue& v, const std::string& where) {
  if (!v.isArray()) throw std::runtime_error(where + ": field 'layers': expected an array of layer ids");
  std::vector<int> out;
  for (const QJsonValue& x : v.toArray()) {
    if (!x.isDouble()) throw std::runtime_error(where + ": field 'layers': expected integers");
    out.push_back(x.toInt());
  }
  return out;
}

QByteArray read_all(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    throw std::runtime_error(path.toStdString() + ": cannot be read (" + f.errorString().toStdString() + ")");
  }
  return f.readAll();
}

}  // namespace

QString layers_text(const std::vector<int>& layers) {
  QStringList parts;
  for (int id : layers) parts << QString::number(id);
  return parts.join(',');
}

SearchCandidate parse_search_candidate(const QByteArray& line) {
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
  if (error.error != QJsonParseError::NoError || !doc.isObject()) {
    throw std::runtime_error("expected a JSON object" +
                             std::string(error.error ? ": " + error.errorString().toStdString() : ""));
  }
  const QJsonObject o = doc.object();
  for (const char* key : {"depth", "score"}) {
    if (!o[key].isDouble()) throw std::runtime_error(std::string("field '") + key + "': expected a number");
  }
  SearchCandidate c;
  c.depth = o["depth"].toInt();
  c.layers = int_list(o["layers"], "search.jsonl");
  c.score = o["score"].toDouble();
  c.seconds = o["seconds"].toDouble();
  return c;
}

void rank_candidates(SearchResults& results, int k) {
  results.beam.clear();
  results.has_best = false;
  for (const SearchCandidate& c : results.candidates) {
    if (c.depth < 0) continue;
    if (results.beam.size() <= static_cast<size_t>(c.depth))
      results.beam.resize(static_cast<size_t>(c.depth) + 1);
    results.beam[static_cast<size_t>(c.depth)].push_back(c);
    if (!results.has_best || c.score > results.best.score) {
      results.best = c;
      results.has_best = true;
    }
  }
  for (auto& depth : results.beam) {
    std::stable_sort(depth.begin(), depth.end(),
                     [](const auto& a, const auto& b) { return a.score > b.score; });
    if (k > 0 && static_cast<int>(depth.size()) > k) depth.resize(static_cast<size_t>(k));
  }
}

SearchResults load_search_folder(const QString& folder, int beam_width_hint) {
  const QDir dir(folder);
  const QString records_path = dir.filePath("search.jsonl"),
                summary_path = dir.filePath("search_summary.json");
  const bool has_records = QFileInfo::exists(records_path), has_summary = QFileInfo::exists(summary_path);
  if (!has_records && !has_summary) {
    throw std::runtime_error(folder.toStdString() +
                             ": not a layer search folder (expected search.jsonl or search_summary.json)");
  }
  SearchResults results;
  results.folder = dir.absolutePath();
  results.beam_width = beam_width_hint;
  if (has_records) {
    const QByteArray text = read_all(records_path);
    const QList<QByteArray> lines = text.split('\n');
    // The last element is empty after a final newline, or a partial line of a search still writing: skipped.
    for (int i = 0; i + 1 < lines.size(); ++i) {
      if (lines[i].trimmed().isEmpty()) continue;
      try {
        results.candidates.push_back(parse_search_candidate(lines[i]));
      } catch (const std::exception& e) {
        throw std::runtime_error(records_path.toStdString() + ":" + std::to_string(i + 1) + ": " + e.what());
      }
    }
  }
  rank_candidates(results, results.beam_width);
  if (!has_summary) return results;

  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(read_all(summary_path), &error);
  if (error.error != QJsonParseError::NoError || !doc.isObject()) {
    throw std::runtime_error(summary_path.toStdString() + ": invalid JSON at byte " +
                             std::to_string(error.offset));
  }
  const QJsonObject o = doc.object();
  const QJsonObject best = o["best"].toObject();
  if (best.isEmpty() || !best["score"].isDouble()) {
    throw std::runtime_error(summary_path.toStdString() +
                             ": field 'best': expected {\"layers\": [...], \"score\": s}");
  }
  results.best.layers = int_list(best["layers"], summary_path.toStdString());
  results.best.score = best["score"].toDouble();
  results.best.depth = best["depth"].toInt(static_cast<int>(results.best.layers.size()) - 1);
  results.has_best = true;
  results.complete = true;
  if (o["beam"].isDouble()) results.beam_width = o["beam"].toInt();
  if (o["depths"].isArray()) {
    results.beam.clear();
    for (const QJsonValue& d : o["depths"].toArray()) {
      std::vector<SearchCandidate> kept;
      const int depth = d.toObject()["depth"].toInt();
      for (const QJsonValue& t : d.toObject()["top"].toArray()) {
        SearchCandidate c;
        c.depth = depth;
        c.layers = int_list(t.toObject()["layers"], summary_path.toStdString());
        c.score = t.toObject()["score"].toDouble();
        kept.push_back(c);
      }
      results.beam.push_back(kept);
    }
  } else {
    rank_candidates(results, results.beam_width);
    results.best.layers = int_list(best["layers"], summary_path.toStdString());
    results.best.score = best["score"].toDouble();
  }
  results.description = QStringLiteral("%1/%2, %3, α = %4, beam %5, %6 pairs")
                            .arg(o["dataset"].toString(), o["split"].toString(), o["backbone"].toString(),
                                 o["alpha"].toString())
                            .arg(results.beam_width)
                            .arg(o["pairs"].toInteger());
  return results;
}

}  // namespace hpf
