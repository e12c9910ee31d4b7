#pragma once
// A whole benchmark evaluation: every pair of a split (or one shard of it) through Hyperpixel Flow, written
// as it goes to pairs.jsonl (one line per pair, flushed and synced, so a killed run loses at most the pair in
// flight), then summarised into summary.json and pck_curve.csv. Resumable, shardable, cancellable.

#include "core/compute/hyperpixel_flow.h"
#include "core/eval/eval_options.h"
#include "core/eval/run_files.h"
#include "core/eval/summary.h"
#include "core/pipeline/job.h"
#include "datasets/dataset.h"

#include <functional>
#include <string>

namespace hpf {

struct EvalResult {
  Summary summary;
  RunDescription run;
  int64_t evaluated = 0;  // pairs computed by this call
  int64_t resumed = 0;    // pairs found finished in pairs.jsonl
  double seconds = 0;     // wall time of this call
  size_t cache_hits = 0, cache_misses = 0;
  bool complete = false;  // every pair of the shard is in pairs.jsonl and the summary was written
};

// `run` describes the model (backbone, weights, layers, options); dataset, split and threshold are filled in
// here. Per-pair progress goes to context.progress; a cancel request stops after the pair in flight
// (result.complete is false and no summary is written). Throws std::runtime_error for an unusable output
// directory, a resume of a different run, or a bad pair without skip_bad.
EvalResult run_evaluation(const Dataset& dataset, const HyperpixelFlow& flow, RunDescription run,
                          const EvalOptions& options, const JobContext& context = {});

// Combines the pairs.jsonl of several shard directories into `output_dir` (pairs.jsonl, summary.json,
// pck_curve.csv), exactly as one unsharded run would have written them. The shards must describe the same
// run.
EvalResult merge_evaluations(const std::vector<std::string>& shard_dirs, const std::string& output_dir);

}  // namespace hpf
