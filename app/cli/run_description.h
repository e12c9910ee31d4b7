#pragma once
// The model half of an evaluation's description (what summary.json records about how it was run).

#include "app/cli/match_options.h"
#include "core/compute/backbone.h"
#include "core/eval/summary.h"

namespace hpf::cli {

RunDescription describe_run(const ModelChoice& model, const MatchOptions& options, const Backbone& backbone);

}  // namespace hpf::cli
