#pragma once
// The application's loaded networks: one per (backbone, weights file, device), shared by the pair view, the
// evaluation panel and the layer search panel, so that a network is read from disk and held in memory once.
// Forward passes only read a network (inference mode, no state), so jobs of different panels may use the same
// instance at once.

#include "ui/match_settings.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace hpf {

class Backbone;

class BackboneService {
 public:
  struct Loaded {
    std::shared_ptr<Backbone> backbone;
    std::string weights;  // the checkpoint it came from ("(provided)" when injected)
  };
  using Loader = std::function<std::unique_ptr<Backbone>(
      const std::string& backbone, const std::string& weights, const std::string& device)>;

  BackboneService();  // loads with core's load_backbone
  explicit BackboneService(Loader loader);

  // The network `settings` ask for, loaded on first use. Throws WeightsUnavailable when the settings name no
  // weights file and the cache has none, or the loader's error. Thread-safe; call it on a worker thread.
  Loaded get(const MatchSettings& settings);

  // Every later get() returns `backbone`, whatever the settings say (tests, embedding); nullptr loads again.
  void inject(std::shared_ptr<Backbone> backbone);

  int loads() const;  // networks loaded from disk so far

 private:
  Loader loader_;
  mutable std::mutex mutex_;
  // Networks still in use by someone, by "backbone|weights|device"; the most recent one is kept alive.
  std::map<std::string, std::weak_ptr<Backbone>> networks_;
  Loaded recent_;
  std::shared_ptr<Backbone> injected_;
  int loads_ = 0;
};

}  // namespace hpf
