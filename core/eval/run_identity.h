#pragma once
// Whether two run descriptions (run.json files) describe the same run, for a resume or a merge: everything
// that can change a result must agree -- dataset, split, selection, backbone, weights (by SHA-256 where both
// record it), layers, every matching option, threshold, alphas. Not compared: the tool and library versions
// (recorded, but an upgrade must not orphan a half-finished run) and the device (a GPU run that ran out of
// memory finishes on the CPU).

#include <set>
#include <string>
#include <vector>

namespace hpf {

// The fields that differ, each as "options.exponent: 3 in run.json, 2 now" (`recorded_name` names the
// recorded file); empty when the runs are the same. Fields in `also_ignored` ("shard_index" for a merge) are
// not compared either.
std::vector<std::string> run_differences(const std::string& recorded_json, const std::string& current_json,
                                         const std::string& recorded_name = "run.json",
                                         const std::set<std::string>& also_ignored = {});

// The differences as one sentence: "a; b; c".
std::string join_differences(const std::vector<std::string>& differences);

}  // namespace hpf
