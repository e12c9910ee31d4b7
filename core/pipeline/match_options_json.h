#pragma once
// The matching options as every output file records them (matches.json's "options", run.json's and
// summary.json's "options", search_run.json's), written in one place so that a new option is recorded
// everywhere.

#include "core/compute/match_options.h"

#include <QJsonObject>

namespace hpf {

// method, layers, exponent, ncells, kernel_size, hough_voting, similarity, (scot: ot_epsilon, ot_exponent,
// cam,) prune_margin (as applied: SCOT keeps the margin), max_side.
QJsonObject match_options_json(const MatchOptions& options);

}  // namespace hpf
