#include "app/cli/keypoint_file.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <stdexcept>

namespace hpf::cli {

std::vector<Point2> read_keypoint_file(const std::string& path) {
  QFile file(QString::fromStdString(path));
  if (!file.open(QIODevice::ReadOnly)) {
    throw std::runtime_error(path + ": cannot open keypoint file: " + file.errorString().toStdString());
  }
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
  if (error.error != QJsonParseError::NoError) {
    throw std::runtime_error(path + ": invalid JSON at offset " + std::to_string(error.offset) + ": " +
                             error.errorString().toStdString());
  }
  if (!doc.isArray()) throw std::runtime_error(path + ": expected a JSON array of [x, y] pairs");
  std::vector<Point2> points;
  const QJsonArray array = doc.array();
  for (qsizetype i = 0; i < array.size(); ++i) {
    const QJsonArray pair = array.at(i).toArray();
    if (!array.at(i).isArray() || pair.size() != 2 || !pair.at(0).isDouble() || !pair.at(1).isDouble()) {
      throw std::runtime_error(path + ": entry " + std::to_string(i) + " is not an [x, y] pair of numbers");
    }
    points.push_back({pair.at(0).toDouble(), pair.at(1).toDouble()});
  }
  return points;
}

}  // namespace hpf::cli
