#pragma once
// The model half of an evaluation's description (what run.json and summary.json record about how it ran),
// shared by `hpf eval`, the GUI's evaluation panel and the layer search.

#include "core/compute/backbone.h"
#include "core/compute/hyperpixel_flow.h"
#include "core/eval/summary.h"

#include <string>

namespace hpf {

// `weights_path` is recorded by file name only, so runs on machines with the weights elsewhere stay
// comparable. `extra_options_json` (a JSON object text, e.g. the GUI's pair filter) is merged into the
// recorded options.
RunDescription describe_run(const Backbone& backbone, const std::string& weights_path,
                            const MatchOptions& options, const std::string& extra_options_json = "");

}  // namespace hpf
