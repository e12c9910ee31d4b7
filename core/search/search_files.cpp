#include "core/search/search_files.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <stdexcept>

namespace hpf {
namespace {

QJsonArray int_array(const std::vector<int>& values) {
  QJsonArray a;
  for (int v : values) a.append(v);
  return a;
}

QJsonArray double_array(const std::vector<double>& values) {
  QJsonArray a;
  for (double v : values) a.append(v);
  return a;
}

QJsonObject parse_object(const std::string& line, const char* what) {
  QJsonParseError error;
  const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(line), &error);
  if (!doc.isObject()) {
    throw std::runtime_error(std::string(what) + " line is not a JSON object (" +
                             error.errorString().toStdString() + ")");
  }
  return doc.object();
}

// Throws naming the field unless `value` is a number (array = false) or an array (array = true).
void require(const QJsonValue& value, const char* field, bool array) {
  if (array ? !value.isArray() : !value.isDouble()) {
    throw std::runtime_error(std::string("field \"") + field + "\": expected " +
                             (array ? "an array" : "a number"));
  }
}

std::vector<double> doubles(const QJsonObject& o, const char* field) {
  const QJsonValue v = o[field];
  require(v, field, true);
  std::vector<double> out;
  for (const QJsonValue& x : v.toArray()) {
    if (!x.isDouble()) throw std::runtime_error(std::string("field \"") + field + "\": expected numbers");
    out.push_back(x.toDouble());
  }
  return out;
}

}  // namespace

std::string search_line(const SearchRecord& r) {
  QJsonObject o;
  o["depth"] = r.depth;
  o["layers"] = int_array(r.layers);
  o["score"] = r.score;
  o["seconds"] = r.seconds;
  return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

SearchRecord parse_search_line(const std::string& line) {
  const QJsonObject o = parse_object(line, "search.jsonl");
  SearchRecord r;
  const QJsonValue depth = o["depth"], score = o["score"], seconds = o["seconds"];
  require(depth, "depth", false);
  require(score, "score", false);
  require(seconds, "seconds", false);
  r.depth = depth.toInt();
  for (double id : doubles(o, "layers")) r.layers.push_back(static_cast<int>(id));
  r.score = score.toDouble();
  r.seconds = seconds.toDouble();
  return r;
}

std::string progress_line(const ProgressRecord& r) {
  QJsonObject o;
  o["depth"] = r.depth;
  o["pair"] = static_cast<qint64>(r.pair);
  o["pck"] = double_array(r.pck);
  o["seconds"] = double_array(r.seconds);
  return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

ProgressRecord parse_progress_line(const std::string& line) {
  const QJsonObject o = parse_object(line, "search_progress.jsonl");
  ProgressRecord r;
  require(o["depth"], "depth", false);
  require(o["pair"], "pair", false);
  r.depth = o["depth"].toInt();
  r.pair = o["pair"].toInteger();
  r.pck = doubles(o, "pck");
  r.seconds = doubles(o, "seconds");
  if (r.pck.size() != r.seconds.size())
    throw std::runtime_error("fields \"pck\" and \"seconds\" differ in length");
  return r;
}

}  // namespace hpf
