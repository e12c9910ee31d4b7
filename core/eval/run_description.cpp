#include "core/eval/run_description.h"

#include "core/compute/runtime.h"
#include "core/pipeline/match_options_json.h"
#include "core/weights/file_sha256.h"

#include <QFileInfo>
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
  run.layers = format_layer_ids(options.layers);
  run.device = backbone.device().is_cuda() ? "cuda" : "cpu";
  QJsonObject o = match_options_json(options);
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
