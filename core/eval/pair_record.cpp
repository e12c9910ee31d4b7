#include "core/eval/pair_record.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <stdexcept>

namespace hpf {

std::string record_to_json_line(const PairRecord& r) {
  QJsonObject o;
  o["index"] = static_cast<qint64>(r.index);
  o["id"] = QString::fromStdString(r.id);
  o["source"] = QString::fromStdString(r.source);
  o["target"] = QString::fromStdString(r.target);
  o["category"] = QString::fromStdString(r.category);
  if (!r.error.empty()) {
    o["error"] = QString::fromStdString(r.error);
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
  }
  QJsonObject flags;
  for (const auto& [name, value] : r.flags) flags[QString::fromStdString(name)] = value;
  if (!flags.isEmpty()) o["flags"] = flags;
  QJsonArray pred, gt, dist;
  for (const auto& p : r.pred_kps)
    pred.append(p ? QJsonValue(QJsonArray{p->first, p->second}) : QJsonValue());
  for (const auto& g : r.gt_kps) gt.append(QJsonArray{g.first, g.second});
  for (double d : r.normalized_distance) dist.append(d);
  o["pred_kps"] = pred;
  o["gt_kps"] = gt;
  o["threshold"] = r.threshold;
  o["ratio"] = r.ratio;
  o["normalized_distance"] = dist;
  QJsonObject correct, pck;
  for (const auto& [alpha, values] : r.correct) {
    QJsonArray a;
    for (bool v : values) a.append(v);
    correct[QString::fromStdString(alpha)] = a;
  }
  for (const auto& [alpha, value] : r.pck) pck[QString::fromStdString(alpha)] = value;
  o["correct"] = correct;
  o["pck"] = pck;
  if (r.lt_acc) o["lt_acc"] = *r.lt_acc;
  if (r.iou) o["iou"] = *r.iou;
  if (!r.warnings.empty()) {
    QJsonArray warnings;
    for (const std::string& w : r.warnings) warnings.append(QString::fromStdString(w));
    o["warnings"] = warnings;
  }
  o["ms"] = r.milliseconds;
  return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

PairRecord record_from_json_line(const std::string& line) {
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(line), &error);
  if (error.error != QJsonParseError::NoError || !doc.isObject()) {
    throw std::runtime_error("invalid JSON (" + error.errorString().toStdString() + ")");
  }
  const QJsonObject o = doc.object();
  if (!o.contains("index") || !o.value("index").isDouble()) throw std::runtime_error("missing field 'index'");
  PairRecord r;
  r.index = o.value("index").toInteger();
  r.id = o.value("id").toString().toStdString();
  r.source = o.value("source").toString().toStdString();
  r.target = o.value("target").toString().toStdString();
  r.category = o.value("category").toString().toStdString();
  r.error = o.value("error").toString().toStdString();
  const QJsonObject flags = o.value("flags").toObject();
  for (auto it = flags.begin(); it != flags.end(); ++it) r.flags[it.key().toStdString()] = it.value().toInt();
  for (const QJsonValue& p : o.value("pred_kps").toArray()) {
    if (p.isNull()) {
      r.pred_kps.emplace_back(std::nullopt);
    } else {
      r.pred_kps.emplace_back(std::make_pair(p.toArray().at(0).toDouble(), p.toArray().at(1).toDouble()));
    }
  }
  for (const QJsonValue& g : o.value("gt_kps").toArray()) {
    r.gt_kps.emplace_back(g.toArray().at(0).toDouble(), g.toArray().at(1).toDouble());
  }
  r.threshold = o.value("threshold").toDouble();
  r.ratio = o.value("ratio").toDouble(1.0);
  for (const QJsonValue& d : o.value("normalized_distance").toArray())
    r.normalized_distance.push_back(d.toDouble());
  const QJsonObject correct = o.value("correct").toObject();
  for (auto it = correct.begin(); it != correct.end(); ++it) {
    std::vector<bool> values;
    for (const QJsonValue& v : it.value().toArray()) values.push_back(v.toBool());
    r.correct[it.key().toStdString()] = values;
  }
  const QJsonObject pck = o.value("pck").toObject();
  for (auto it = pck.begin(); it != pck.end(); ++it) r.pck[it.key().toStdString()] = it.value().toDouble();
  if (o.contains("lt_acc")) r.lt_acc = o.value("lt_acc").toDouble();
  if (o.contains("iou")) r.iou = o.value("iou").toDouble();
  for (const QJsonValue& w : o.value("warnings").toArray()) r.warnings.push_back(w.toString().toStdString());
  r.milliseconds = o.value("ms").toDouble();
  return r;
}

}  // namespace hpf
