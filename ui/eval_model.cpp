#include "ui/eval_model.h"

#include "core/compute/matcher.h"
#include "core/compute/runtime.h"
#include "core/pipeline/model_loader.h"
#include "core/weights/weights_cache.h"

#include <opencv2/core/version.hpp>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace hpf {

std::shared_ptr<Backbone> EvalModel::get(const MatchSettings& settings, std::string* weights) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (injected_) {
    if (weights) *weights = weights_;
    return backbone_;
  }
  const std::string name = settings.backbone.toStdString();
  std::string file = settings.weights_path.toStdString();
  if (file.empty()) file = resolve_weights(name).string();  // throws WeightsUnavailable
  const std::string key = name + "|" + file + "|" + settings.device.toStdString();
  if (!backbone_ || key != key_) {
    backbone_.reset();
    backbone_ = std::shared_ptr<Backbone>(load_backbone(name, file, settings.device.toStdString()));
    key_ = key;
    weights_ = file;
  }
  if (weights) *weights = weights_;
  return backbone_;
}

void EvalModel::inject(std::shared_ptr<Backbone> backbone) {
  std::lock_guard<std::mutex> lock(mutex_);
  injected_ = backbone != nullptr;
  backbone_ = std::move(backbone);
  key_.clear();
  weights_ = injected_ ? "(provided)" : "";
}

RunDescription describe_gui_run(const MatchSettings& settings, const Backbone& backbone,
                                const std::string& weights, const QJsonObject& filter) {
  const MatchOptions options = to_match_options(settings);
  RunDescription run;
  run.backbone = backbone.name();
  // The file name, not the path, as `hpf eval` records it: runs on two machines stay comparable.
  run.weights = QFileInfo(QString::fromStdString(weights)).fileName().toStdString();
  QJsonArray layer_array;
  for (int id : options.layers) {
    run.layers += (run.layers.empty() ? "" : ",") + std::to_string(id);
    layer_array.append(id);
  }
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
  if (!filter.isEmpty()) o["filter"] = filter;
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
