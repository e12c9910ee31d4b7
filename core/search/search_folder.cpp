#include "core/search/search_folder.h"

#include "core/fileio/json_lines.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace hpf {
namespace {

LayerSet layer_ids(const QJsonValue& v, const std::string& where) {
  if (!v.isArray()) throw std::runtime_error(where + ": field 'layers': expected an array of layer ids");
  LayerSet out;
  for (const QJsonValue& x : v.toArray()) {
    if (!x.isDouble()) throw std::runtime_error(where + ": field 'layers': expected integers");
    out.push_back(x.toInt());
  }
  return out;
}

// search_summary.json's best set and kept beams (replacing the ranking of the candidates).
void read_summary(const std::string& path, SearchFolder& folder) {
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(read_text_file(path)), &error);
  if (error.error != QJsonParseError::NoError || !doc.isObject()) {
    throw std::runtime_error(path + ": invalid JSON at byte " + std::to_string(error.offset));
  }
  const QJsonObject o = doc.object();
  const QJsonObject best = o["best"].toObject();
  if (best.isEmpty() || !best["score"].isDouble()) {
    throw std::runtime_error(path + ": field 'best': expected {\"layers\": [...], \"score\": s}");
  }
  if (o["beam"].isDouble()) folder.beam_width = o["beam"].toInt();
  if (o["depths"].isArray()) {
    folder.beam.clear();
    for (const QJsonValue& d : o["depths"].toArray()) {
      std::vector<SearchRecord> kept;
      const int depth = d.toObject()["depth"].toInt();
      for (const QJsonValue& t : d.toObject()["top"].toArray()) {
        SearchRecord c;
        c.depth = depth;
        c.layers = layer_ids(t.toObject()["layers"], path);
        c.score = t.toObject()["score"].toDouble();
        kept.push_back(c);
      }
      folder.beam.push_back(kept);
    }
  } else {
    rank_search_candidates(folder, folder.beam_width);
  }
  folder.best.layers = layer_ids(best["layers"], path);
  folder.best.score = best["score"].toDouble();
  folder.best.depth = best["depth"].toInt(static_cast<int>(folder.best.layers.size()) - 1);
  folder.has_best = true;
  folder.complete = true;
  folder.description = QStringLiteral("%1/%2, %3, α = %4, beam %5, %6 pairs")
                           .arg(o["dataset"].toString(), o["split"].toString(), o["backbone"].toString(),
                                o["alpha"].toString())
                           .arg(folder.beam_width)
                           .arg(o["pairs"].toInteger())
                           .toStdString();
}

}  // namespace

void rank_search_candidates(SearchFolder& folder, int k) {
  folder.beam.clear();
  folder.has_best = false;
  for (const SearchRecord& c : folder.candidates) {
    if (c.depth < 0) continue;
    if (folder.beam.size() <= static_cast<size_t>(c.depth))
      folder.beam.resize(static_cast<size_t>(c.depth) + 1);
    folder.beam[static_cast<size_t>(c.depth)].push_back(c);
    if (!folder.has_best || c.score > folder.best.score) {
      folder.best = c;
      folder.has_best = true;
    }
  }
  for (auto& depth : folder.beam) {
    std::stable_sort(depth.begin(), depth.end(),
                     [](const auto& a, const auto& b) { return a.score > b.score; });
    if (k > 0 && static_cast<int>(depth.size()) > k) depth.resize(static_cast<size_t>(k));
  }
}

SearchFolder read_search_folder(const std::string& dir, int beam_width_hint) {
  const std::string records_path = dir + "/search.jsonl", summary_path = dir + "/search_summary.json";
  std::error_code error;
  const bool has_records = std::filesystem::exists(records_path, error);
  const bool has_summary = std::filesystem::exists(summary_path, error);
  if (!has_records && !has_summary) {
    throw std::runtime_error(dir +
                             ": not a layer search folder (expected search.jsonl or search_summary.json)");
  }
  SearchFolder folder;
  folder.folder = std::filesystem::absolute(dir, error).lexically_normal().string();
  folder.beam_width = beam_width_hint;
  for (const JsonLine& line : read_complete_lines(records_path)) {
    try {
      folder.candidates.push_back(parse_search_line(line.text));
    } catch (const std::exception& e) {
      throw std::runtime_error(records_path + ":" + std::to_string(line.number) + ": " + e.what());
    }
  }
  rank_search_candidates(folder, folder.beam_width);
  if (has_summary) read_summary(summary_path, folder);
  return folder;
}

}  // namespace hpf
