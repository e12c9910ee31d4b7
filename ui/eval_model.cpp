#include "ui/eval_model.h"

#include "core/compute/matcher.h"
#include "core/eval/run_description.h"
#include "core/pipeline/model_loader.h"
#include "core/weights/weights_cache.h"

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
  QJsonObject extra;
  if (!filter.isEmpty()) extra["filter"] = filter;
  return describe_run(backbone, weights, to_match_options(settings),
                      extra.isEmpty() ? "" : QJsonDocument(extra).toJson(QJsonDocument::Compact).toStdString());
}

}  // namespace hpf
