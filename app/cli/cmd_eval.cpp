// hpf eval: a benchmark split through Hyperpixel Flow, with PCK per alpha, category and difficulty.
// hpf merge: combine the outputs of `hpf eval --shard I/N` runs.

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "app/cli/match_options.h"
#include "app/cli/progress_bar.h"
#include "core/eval/evaluation_job.h"
#include "core/eval/run_description.h"
#include "core/pipeline/model_loader.h"

#include <QRegularExpression>

#include <atomic>
#include <csignal>
#include <iostream>

namespace hpf::cli {
namespace {

std::atomic<bool> interrupted{false};

void parse_shard(const QString& text, EvalOptions& options) {
  const auto m = QRegularExpression("^(\\d+)/(\\d+)$").match(text);
  if (!m.hasMatch()) throw UsageError("--shard expects I/N (e.g. 0/4), got '" + text.toStdString() + "'");
  options.shard_index = m.captured(1).toInt();
  options.shard_count = m.captured(2).toInt();  // the range is EvalOptions::check()'s
}

}  // namespace

int eval(const QStringList& args) {
  QCommandLineParser parser;
  add_match_options(parser);
  parser.addOptions({
      {"dataset", "Benchmark: spair, pf-pascal, pf-willow, caltech.", "name"},
      {"root", "The dataset's top folder (holding test_pairs.csv, Layout/, ...) or its downloaded archive.",
       "path"},
      {"split", "Split to evaluate (default: the paper's: test).", "name"},
      {"layout", "SPair-71k layout: large or small.", "name", "large"},
      {"alpha", "PCK tolerances, comma-separated.", "list", "0.05,0.1,0.15"},
      {"threshold", "PCK threshold: auto (the dataset's), img (max image side) or bbox (max box side).",
       "kind", "auto"},
      {"pck", "per-image (mean of pair PCKs, as the paper) or per-keypoint.", "kind", "per-image"},
      {"output", "Output directory (pairs.jsonl, summary.json, pck_curve.csv).", "dir", "hpf-eval"},
      {"resume", "Continue an interrupted run in --output, skipping finished pairs."},
      {"shard", "Evaluate only shard I of N (pairs with index % N == I); combine with `hpf merge`.", "I/N",
       "0/1"},
      {"skip-bad", "Record and skip pairs with missing or broken files instead of stopping."},
      {"no-cache", "Disable the per-image feature cache and image prefetching (for benchmarking)."},
      {"limit", "Evaluate only the first N pairs of the split.", "N", "0"},
      {"category", "Evaluate only these categories (comma-separated).", "list"},
  });
  parse_or_throw(parser, args,
                 "Evaluate Hyperpixel Flow on a benchmark split (PCK; LT-ACC/IoU on Caltech-101).");
  if (!parser.isSet("dataset") || !parser.isSet("root"))
    throw UsageError("--dataset and --root are required");
  const std::string kind = parser.value("dataset").toStdString();

  EvalOptions options;
  options.split = parser.value("split").toStdString();
  const QString threshold = parser.value("threshold");
  if (threshold != "auto" && threshold != "img" && threshold != "bbox") {
    throw UsageError("--threshold expects auto, img or bbox, got '" + threshold.toStdString() + "'");
  }
  options.threshold_is_default = threshold == "auto";
  options.threshold = threshold == "img" ? ThresholdKind::Image : ThresholdKind::BoundingBox;
  const QString pck = parser.value("pck");
  if (pck != "per-image" && pck != "per-keypoint")
    throw UsageError("--pck expects per-image or per-keypoint");
  options.pck = pck == "per-image" ? PckKind::PerImage : PckKind::PerKeypoint;
  options.output_dir = parser.value("output").toStdString();
  options.resume = parser.isSet("resume");
  parse_shard(parser.value("shard"), options);
  options.skip_bad = parser.isSet("skip-bad");
  options.use_cache = !parser.isSet("no-cache");
  options.limit = int_option(parser, "limit");
  for (const QString& c : parser.value("category").split(',', Qt::SkipEmptyParts)) {
    options.categories.push_back(c.trimmed().toStdString());
  }
  try {
    options.alphas = parse_alphas(parser.value("alpha").toStdString());
    options.check();
  } catch (const OptionError& e) {
    throw UsageError(flag_for_option(e.option()) + ": " + e.problem());
  }

  DatasetOptions dataset_options;
  dataset_options.spair_layout = parser.value("layout").toStdString();
  const auto dataset = open_dataset(kind, parser.value("root").toStdString(), dataset_options);
  // Caltech-101 keeps margin hyperpixels (the reference's pruning breaks its polygons).
  const MatchOptions match_options =
      read_match_options(parser, dataset->annotation_kind() != AnnotationKind::Polygon);
  const ModelChoice model = read_model_choice(parser);
  auto backbone = load_backbone(model.backbone, model.weights, model.device);
  const HyperpixelFlow flow(*backbone, match_options);

  interrupted = false;
  std::signal(SIGINT, [](int) { interrupted = true; });
  ProgressBar bar("eval");
  int64_t first = -1;
  JobContext context;
  context.cancel_requested = &interrupted;
  context.progress = [&](const JobProgress& p) {
    if (first < 0) first = p.done - 1;
    bar.update(p.done, p.total, first, p.item);
  };
  context.warning = [&](const std::string& message) { bar.note("warning: " + message); };
  const EvalResult result = run_evaluation(
      *dataset, flow, describe_run(*backbone, model.weights, flow.options()), options, context);
  bar.finish();
  std::signal(SIGINT, SIG_DFL);
  if (!result.complete) {
    std::cerr << "interrupted after " << result.resumed + result.evaluated
              << " pairs; continue with the same command and --resume\n";
    return 130;
  }
  std::cout << summary_table(result.summary, result.run);
  std::printf("%lld pairs evaluated now, %lld resumed, %.1f s (%.2f pairs/s), cache %zu hits / %zu misses\n",
              static_cast<long long>(result.evaluated), static_cast<long long>(result.resumed),
              result.seconds, result.seconds > 0 ? result.evaluated / result.seconds : 0.0, result.cache_hits,
              result.cache_misses);
  std::cout << "wrote " << options.output_dir << "/summary.json, pairs.jsonl, pck_curve.csv\n";
  return 0;
}

int merge(const QStringList& args) {
  QCommandLineParser parser;
  parser.addPositionalArgument("shards", "Output directories of `hpf eval --shard I/N` runs.", "DIR...");
  parser.addOption(
      {"output", "Directory for the merged pairs.jsonl, summary.json, pck_curve.csv.", "dir", "hpf-eval"});
  parse_or_throw(parser, args, "Merge sharded evaluations into the result of one unsharded run.");
  std::vector<std::string> dirs;
  for (const QString& d : parser.positionalArguments()) dirs.push_back(d.toStdString());
  if (dirs.empty()) throw UsageError("give the shard output directories");
  const EvalResult result = merge_evaluations(dirs, parser.value("output").toStdString());
  std::cout << summary_table(result.summary, result.run);
  std::cout << "wrote " << parser.value("output").toStdString() << "/summary.json\n";
  return 0;
}

}  // namespace hpf::cli
