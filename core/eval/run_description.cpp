#include "core/eval/run_description.h"

#include "core/compute/runtime.h"
#include "core/weights/file_sha256.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <opencv2/core/version.hpp>

#include <filesystem>

namespace hpf {

RunDescription describe_run(const Backbone& backbone, const std::string& weights_path,
                            const MatchOptions& options, const std::string& extra_options_json) {
  RunDescription run;
  run.backbone = backbone.name();
  run.weights = QFileInfo(QString::fromStdString(weights_path)).fileName().toStdString();
  std::error_code error;
  if (std::filesystem::is_regular_file(weights_path, error))
    run.weights_sha256 = file_sha256_hex(weights_path);
  QJsonArray layer_array;
  for (int id : options.layers) {
    run.layers += (run.layers.empty() ? "" : ",") + std::to_string(id);
    layer_array.append(id);
  }
  run.device = backbone.device().is_cuda() ? "cuda" : "cpu";
  QJsonObject o;
  o["method"] = QString::fromStdString(options.method);
  o["layers"] = layer_array;
  o["exponent"] = options.rhm.exponent;
  o["ncells"] = static_cast<qint64>(options.rhm.ncells);
  o["kernel_size"] = static_cast<qint64>(options.rhm.kernel_size);
  o["hough_voting"] = options.rhm.hough_voting;
  o["similarity"] = options.rhm.factorized_similarity ? "factorized" : "reference";
  o["prune_margin"] = options.hyperpixels.prune_margin;
  o["max_side"] = options.max_side;
  const QJsonObject extra = QJsonDocument::fromJson(QByteArray::fromStdString(extra_options_json)).object();
  for (auto it = extra.begin(); it != extra.end(); ++it) o[it.key()] = it.value();
  run.options_json = QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
  QJsonObject v;
  v["hpf"] = HPF_VERSION;
  v["libtorch"] = QString::fromStdString(torch_version());
  v["opencv"] = CV_VERSION;
  v["qt"] = qVersion();
  run.versions_json = QJsonDocument(v).toJson(QJsonDocument::Compact).toStdString();
  return run;
}

}  // namespace hpf
