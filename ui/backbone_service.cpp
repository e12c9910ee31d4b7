#include "ui/backbone_service.h"

#include "core/pipeline/model_loader.h"
#include "core/weights/weights_cache.h"

namespace hpf {

BackboneService::BackboneService() : BackboneService(load_backbone) {}

BackboneService::BackboneService(Loader loader) : loader_(std::move(loader)) {}

BackboneService::Loaded BackboneService::get(const MatchSettings& settings) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (injected_) return {injected_, "(provided)"};
  const std::string name = settings.backbone.toStdString(), device = settings.device.toStdString();
  std::string file = settings.weights_path.toStdString();
  if (file.empty()) file = resolve_weights(name).string();  // throws WeightsUnavailable
  const std::string key = name + "|" + file + "|" + device;
  if (std::shared_ptr<Backbone> alive = networks_[key].lock()) {
    recent_ = {alive, file};
    return recent_;
  }
  recent_ = {};  // let the previous network go before a new one is loaded (two may not fit)
  std::shared_ptr<Backbone> loaded(loader_(name, file, device));
  ++loads_;
  networks_[key] = loaded;
  recent_ = {loaded, file};
  return recent_;
}

void BackboneService::inject(std::shared_ptr<Backbone> backbone) {
  std::lock_guard<std::mutex> lock(mutex_);
  injected_ = std::move(backbone);
}

int BackboneService::loads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return loads_;
}

}  // namespace hpf
