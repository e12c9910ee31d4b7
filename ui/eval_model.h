#pragma once
// The network an evaluation or search runs with, loaded on the worker thread from the settings (once per
// backbone, weights and device) or injected by a test, and the run description recorded in run.json.

#include "core/eval/summary.h"
#include "ui/match_settings.h"

#include <QJsonObject>

#include <memory>
#include <mutex>
#include <string>

namespace hpf {

class Backbone;

class EvalModel {
 public:
  // The backbone for `settings`, loading it when the settings name another one; `weights` receives the file
  // it came from. Throws WeightsUnavailable when the settings name no file and the cache has none, or the
  // loader's error. Call on the worker thread.
  std::shared_ptr<Backbone> get(const MatchSettings& settings, std::string* weights);
  // Uses `backbone` whatever the settings say (tests); nullptr goes back to loading.
  void inject(std::shared_ptr<Backbone> backbone);

 private:
  std::mutex mutex_;
  std::shared_ptr<Backbone> backbone_;
  std::string key_, weights_;
  bool injected_ = false;
};

// What run.json / summary.json record about the model, as the CLI's `hpf eval` writes it; `filter` (the
// browser's filter, empty when none) goes into the options so a resume with another filter is refused.
RunDescription describe_gui_run(const MatchSettings& settings, const Backbone& backbone,
                                const std::string& weights, const QJsonObject& filter);

}  // namespace hpf
