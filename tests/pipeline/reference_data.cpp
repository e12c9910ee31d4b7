#include "reference_data.h"

#include "core/pipeline/model_loader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>
#include <stdexcept>

namespace hpf::test {

QJsonObject read_reference(const std::string& file) {
  const std::string path = shared_dir() + "/reference/" + file;
  QFile in(QString::fromStdString(path));
  if (!in.open(QIODevice::ReadOnly)) throw std::runtime_error("cannot read " + path);
  return QJsonDocument::fromJson(in.readAll()).object();
}

std::string dev_root() {
  return shared_dir() + "/data/pf-willow-dev";
}

std::unique_ptr<Backbone> shared_mobilenet() {
  return load_backbone("mobilenet_v2", shared_dir() + "/weights/mobilenet_v2_imagenet_uint8.pth", "cpu");
}

MatchOptions reference_options(const QJsonObject& reference) {
  MatchOptions options;
  const QJsonValue layers = reference["hyperpixel"];
  if (layers.isArray()) {
    for (const QJsonValue& id : layers.toArray()) options.layers.push_back(id.toInt());
  } else {  // SCOT writes "(4,7,10,13,16)"
    const auto ids = QRegularExpression("\\d+").globalMatch(layers.toString());
    for (auto it = ids; it.hasNext();) options.layers.push_back(it.next().captured().toInt());
  }
  if (reference.contains("classmap")) {
    options.method = "scot";
    options.ot.epsilon = reference["eps"].toDouble();
    options.ot.exponent = reference["exp2"].toDouble();
    options.ot.cam = reference["classmap"].toInt() == 1;
  }
  return options;
}

void Agreement::add(const PairRecord& ours, const QJsonObject& reference_pair) {
  const QJsonArray expected = reference_pair["pred_kps_resized"].toArray();
  for (int k = 0; k < expected.size(); ++k) {
    ++keypoints;
    const auto& p = ours.pred_kps.at(k);
    if (!p) continue;
    const double dx = p->first * ours.ratio - expected[k].toArray()[0].toDouble();
    const double dy = p->second * ours.ratio - expected[k].toArray()[1].toDouble();
    close += std::hypot(dx, dy) <= 0.5;
  }
  ++pairs;
  same_pck += ours.pck.at("0.1") == reference_pair["pck"].toDouble();
}

}  // namespace hpf::test
