#include "app/cli/run_description.h"

#include "core/compute/runtime.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <opencv2/core/version.hpp>

namespace hpf::cli {

RunDescription describe_run(const ModelChoice& model, const MatchOptions& options, const Backbone& backbone) {
  RunDescription run;
  run.backbone = backbone.name();
  // The file name, not the path: runs on two machines with the weights in different places stay comparable.
  run.weights = QFileInfo(QString::fromStdString(model.weights)).fileName().toStdString();
  std::string layers;
  QJsonArray layer_array;
  for (int id : options.layers) {
    layers += (layers.empty() ? "" : ",") + std::to_string(id);
    layer_array.append(id);
  }
  run.layers = layers;
  run.device = backbone.device().is_cuda() ? "cuda" : "cpu";
  QJsonObject o;
  o["layers"] = layer_array;
  o["exponent"] = options.rhm.exponent;
  o["ncells"] = static_cast<qint64>(options.rhm.ncells);
  o["kernel_size"] = static_cast<qint64>(options.rhm.kernel_size);
  o["hough_voting"] = options.rhm.hough_voting;
  o["similarity"] = options.rhm.factorized_similarity ? "factorized" : "reference";
  o["prune_margin"] = options.hyperpixels.prune_margin;
  o["max_side"] = options.max_side;
  run.options_json = QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
  QJsonObject v;
  v["hpf"] = HPF_VERSION;
  v["libtorch"] = QString::fromStdString(torch_version());
  v["opencv"] = CV_VERSION;
  v["qt"] = qVersion();
  run.versions_json = QJsonDocument(v).toJson(QJsonDocument::Compact).toStdString();
  return run;
}

}  // namespace hpf::cli
