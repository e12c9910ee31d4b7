// hpf search: the paper's beam search over hyperpixel layers (docs/method.md §7), as a resumable job.
// hpf search --bench: one full depth scored by the naive per-candidate evaluation loop and by the search's
// joint scoring, on the same pairs and candidate list, in the same run.

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "app/cli/match_options.h"
#include "app/cli/progress_bar.h"
#include "core/compute/runtime.h"
#include "core/eval/evaluation_job.h"
#include "core/eval/run_description.h"
#include "core/pipeline/model_loader.h"
#include "core/search/candidate_scorer.h"
#include "core/search/search_job.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include <unistd.h>

namespace hpf::cli {
namespace {

std::atomic<bool> interrupted{false};

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", 100.0 * fraction);
  return text;
}

std::vector<int> id_option(const QCommandLineParser& parser, const char* name) {
  try {
    return parse_id_list(parser.value(name).toStdString(), std::string("--") + name);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

// The search's table, like the reference's log: the k kept sets of every depth, then the winner.
void print_search_table(const SearchResult& result, const RunDescription& run, const SearchOptions& options) {
  std::cout << run.dataset << " " << result.split << ", " << run.backbone << ", " << result.pairs.size()
            << " pairs"
            << (options.per_class > 0 ? " (" + std::to_string(options.per_class) + " per class, seed " +
                                            std::to_string(options.seed) + ")"
                                      : std::string())
            << ", PCK@" << options.alpha << " per-image (" << threshold_name(options.threshold)
            << " threshold), beam " << options.beam << "\n";
  std::vector<std::vector<std::string>> rows;
  for (size_t d = 0; d < result.top.size(); ++d) {
    int64_t scored = 0;
    for (const SearchRecord& r : result.records) scored += r.depth == static_cast<int>(d);
    for (size_t k = 0; k < result.top[d].size(); ++k) {
      rows.push_back({k == 0 ? std::to_string(d) : "", k == 0 ? std::to_string(scored) : "",
                      std::to_string(k + 1), format_layers(result.top[d][k].layers),
                      percent(result.top[d][k].score)});
    }
  }
  print_table({"depth", "scored", "rank", "layers", "PCK (%)"}, rows);
  std::cout << "best: " << format_layers(result.best.layers) << "  " << percent(result.best.score)
            << " % (depth " << result.best_depth << ")\n";
}

struct Common {
  std::unique_ptr<Dataset> dataset;
  std::unique_ptr<Backbone> backbone;
  MatchOptions match;
  RunDescription run;
  SearchOptions search;
};

Common read_common(const QCommandLineParser& parser) {
  Common c;
  if (!parser.isSet("dataset") || !parser.isSet("root"))
    throw UsageError("--dataset and --root are required");
  DatasetOptions dataset_options;
  dataset_options.spair_layout = parser.value("layout").toStdString();
  c.dataset = open_dataset(parser.value("dataset").toStdString(), parser.value("root").toStdString(),
                           dataset_options);
  c.match = read_match_options(parser, c.dataset->annotation_kind() != AnnotationKind::Polygon,
                               /*layers_used=*/false);
  ModelChoice model;
  if (parser.isSet("random-weights")) {
    model.backbone = parser.value("backbone").toStdString();
    model.weights = "random";
    model.device = "cpu";
    c.backbone = make_backbone(model.backbone);
  } else {
    model = read_model_choice(parser);
    c.backbone = load_backbone(model.backbone, model.weights, model.device);
  }
  c.run = describe_run(*c.backbone, model.weights, c.match);
  c.run.dataset = c.dataset->name();

  SearchOptions& o = c.search;
  o.split = parser.value("split").toStdString();
  o.alpha = parser.value("alpha").toStdString();
  const QString threshold = parser.value("threshold");
  if (threshold != "auto" && threshold != "img" && threshold != "bbox") {
    throw UsageError("--threshold expects auto, img or bbox, got '" + threshold.toStdString() + "'");
  }
  o.threshold = threshold == "auto"  ? c.dataset->default_threshold()
                : threshold == "img" ? ThresholdKind::Image
                                     : ThresholdKind::BoundingBox;
  o.beam = int_option(parser, "beam");
  o.depth = int_option(parser, "depth");
  if (parser.isSet("seeds")) {
    o.seeds = parser.value("seeds") == "all" ? std::vector<int>() : id_option(parser, "seeds");
    if (parser.value("seeds") == "all") {
      for (const LayerInfo& layer : c.backbone->layers()) o.seeds.push_back(layer.id);
    }
  }
  if (parser.isSet("candidates")) o.candidates = id_option(parser, "candidates");
  o.duplicates = parser.isSet("reference-duplicates") ? DuplicateRule::ReferenceBreak : DuplicateRule::Skip;
  o.per_class = parser.isSet("per-class") ? int_option(parser, "per-class") : 0;
  if (parser.isSet("per-class") && o.per_class < 1) throw UsageError("--per-class must be at least 1");
  o.seed = static_cast<uint64_t>(int_option(parser, "seed"));
  o.limit = int_option(parser, "limit");
  const int memory = int_option(parser, "memory-mb");
  if (memory < 256) throw UsageError("--memory-mb must be at least 256");
  o.image_budget_bytes = (size_t{1} << 20) * static_cast<size_t>(memory) * 3 / 4;
  o.term_budget_bytes = (size_t{1} << 20) * static_cast<size_t>(memory) / 4;
  o.output_dir = parser.value("output").toStdString();
  o.resume = parser.isSet("resume");
  try {
    o.check();
  } catch (const OptionError& e) {
    throw UsageError(flag_for_option(e.option()) + ": " + e.problem());
  }
  return c;
}

// Naive loop vs joint scoring of one depth: the extensions of the seed sets, on the first --limit pairs.
int bench(const Common& c) {
  const SearchOptions& o = c.search;
  std::vector<int> seeds = o.seeds.empty() ? reference_seed_ids(o.beam) : o.seeds;
  std::vector<int> candidates = o.candidates;
  if (candidates.empty()) {
    for (const LayerInfo& layer : c.backbone->layers()) candidates.push_back(layer.id);
  }
  std::vector<LayerSet> beams;
  for (int id : seeds) beams.push_back({id});
  const std::vector<Candidate> sets = extend_beams(beams, candidates, o.duplicates);
  if (sets.empty()) throw UsageError("--bench: the seeds have no extension among the candidates");
  const std::string split = o.split.empty() ? c.dataset->default_split() : o.split;
  std::vector<PairAnnotation> pairs = c.dataset->pairs(split);
  if (o.limit > 0 && static_cast<int64_t>(pairs.size()) > o.limit) pairs.resize(o.limit);
  std::cerr << "bench: " << sets.size() << " sets (one depth: the seeds' extensions), " << pairs.size()
            << " pairs of " << c.dataset->name() << " " << split << ", " << c.backbone->name() << ", "
            << compute_threads() << " threads\n";

  // Joint scoring, cold: the backbone passes are part of it.
  auto start = std::chrono::steady_clock::now();
  std::vector<int> ids = seeds;
  ids.insert(ids.end(), candidates.begin(), candidates.end());
  ImageStore store(*c.dataset, *c.backbone, ids, c.match, o.image_budget_bytes);
  ScorerOptions scorer_options;
  scorer_options.match = c.match;
  scorer_options.threshold = o.threshold;
  scorer_options.alpha = o.alpha;
  scorer_options.term_budget_bytes = o.term_budget_bytes;
  CandidateScorer scorer(*c.dataset, *c.backbone, store, scorer_options);
  std::vector<double> joint(sets.size(), 0.0);
  double similarities = 0;
  ProgressBar joint_bar("joint");
  for (size_t p = 0; p < pairs.size(); ++p) {
    const PairScore score = scorer.score_pair(pairs[p], sets);
    similarities += score.similarities;
    for (size_t s = 0; s < sets.size(); ++s) joint[s] += score.pck[s];
    joint_bar.update(static_cast<int64_t>(p + 1), static_cast<int64_t>(pairs.size()), 0, pairs[p].id);
  }
  joint_bar.finish();
  const double joint_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Naive: `hpf eval` once per set (its own feature cache per run, as separate runs would have).
  const std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("hpf-bench-search-" + std::to_string(::getpid()));
  std::vector<double> naive(sets.size(), 0.0);
  ProgressBar naive_bar("naive");
  start = std::chrono::steady_clock::now();
  for (size_t s = 0; s < sets.size(); ++s) {
    MatchOptions options = c.match;
    options.layers = sets[s].layers;
    const HyperpixelFlow flow(*c.backbone, options);
    EvalOptions eval;
    eval.split = split;
    eval.threshold = o.threshold;
    eval.threshold_is_default = false;
    eval.alphas = {o.alpha};
    eval.limit = static_cast<int64_t>(pairs.size());
    eval.output_dir = (scratch / std::to_string(s)).string();
    const EvalResult r = run_evaluation(*c.dataset, flow, c.run, eval);
    naive[s] = r.summary.pck.at(o.alpha) * static_cast<double>(pairs.size());
    naive_bar.update(static_cast<int64_t>(s + 1), static_cast<int64_t>(sets.size()), 0,
                     format_layers(sets[s].layers));
  }
  naive_bar.finish();
  const double naive_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::error_code ignored;
  std::filesystem::remove_all(scratch, ignored);

  double max_difference = 0;
  int identical = 0;
  for (size_t s = 0; s < sets.size(); ++s) {
    const double difference = std::abs(joint[s] - naive[s]) / static_cast<double>(pairs.size());
    max_difference = std::max(max_difference, difference);
    identical += difference <= 1e-9;
  }
  char speedup[32], diff[32];
  std::snprintf(speedup, sizeof speedup, "%.1fx", naive_seconds / joint_seconds);
  std::snprintf(diff, sizeof diff, "%.3g", max_difference);
  print_table(
      {"backbone", "weights", "pairs", "sets", "naive s", "search s", "speed-up", "identical", "max |diff|"},
      {{c.backbone->name(), c.run.weights, std::to_string(pairs.size()), std::to_string(sets.size()),
        std::to_string(naive_seconds).substr(0, 7), std::to_string(joint_seconds).substr(0, 7), speedup,
        std::to_string(identical) + "/" + std::to_string(sets.size()), diff}});
  std::cout << "backbone passes: search " << store.backbone_passes() << "; scores are mean per-pair PCK@"
            << o.alpha << " (" << threshold_name(o.threshold) << " threshold)\n";
  char work[96];
  std::snprintf(work, sizeof work, "%.3g source/target similarities, %.3g per second of search", similarities,
                similarities / joint_seconds);
  std::cout << "search work: " << work << "\n";
  return identical == static_cast<int>(sets.size()) ? 0 : 1;
}

}  // namespace

int search(const QStringList& args) {
  QCommandLineParser parser;
  add_match_options(parser);
  parser.addOptions({
      {"dataset", "Benchmark: spair, pf-pascal, pf-willow.", "name"},
      {"root", "The dataset's top folder or its downloaded archive.", "path"},
      {"split",
       "Split to search on (default: val; a dataset without one, like PF-WILLOW, uses its only split).",
       "name"},
      {"layout", "SPair-71k layout: large or small.", "name", "large"},
      {"beam", "Beam size k: sets kept per depth.", "k", "4"},
      {"depth", "Depths 0..D-1, i.e. sets of up to D layers.", "D", "8"},
      {"seeds", "Depth-0 layer ids (e.g. 0,1,2,3 or 0-5) or 'all'. Default: the reference's 0..k-1.", "ids"},
      {"candidates", "Layer ids a set may grow by (e.g. 0-33). Default: every layer of the backbone.", "ids"},
      {"reference-duplicates",
       "Reproduce the reference's quirk: an already-listed extension ends that set's extensions (break) "
       "instead of "
       "being skipped."},
      {"per-class", "Small-set mode: score K random pairs per class.", "K"},
      {"seed", "Seed of the small-set draw.", "S", "0"},
      {"limit", "Use only the first N pairs of the split (0: all).", "N", "0"},
      {"alpha", "PCK tolerance of the objective.", "a", "0.1"},
      {"threshold", "PCK threshold: bbox (the reference's search), img, or auto (the dataset's).", "kind",
       "bbox"},
      {"output", "Output directory (search.jsonl, search_summary.json).", "dir", "hpf-search"},
      {"resume", "Continue an interrupted search in --output."},
      {"memory-mb", "Memory for cached features and per-pair terms.", "MB", "4096"},
      {"bench",
       "Benchmark one depth (the seeds' extensions by the candidates) on the first --limit pairs: the "
       "naive per-set evaluation loop against the search's joint scoring; prints speed-up and agreement."},
      {"random-weights", "Use untrained weights (timing only)."},
  });
  parse_or_throw(parser, args, "Beam search over hyperpixel layers.");
  Common c = read_common(parser);
  if (parser.isSet("bench")) {
    if (c.search.per_class > 0)
      throw UsageError("--bench uses the first --limit pairs; --per-class is not supported");
    return bench(c);
  }
  if (c.search.per_class > 0 && c.search.limit > 0) {
    std::cerr << "note: the small-set draw is made from the first " << c.search.limit << " pairs\n";
  }

  interrupted = false;
  std::signal(SIGINT, [](int) { interrupted = true; });
  std::unique_ptr<ProgressBar> bar;
  std::string label;
  int64_t first = -1;
  JobContext context;
  context.cancel_requested = &interrupted;
  context.progress = [&](const JobProgress& p) {
    if (!bar || p.stage != label) {  // one bar per depth
      if (bar) bar->finish();
      label = p.stage;
      bar = std::make_unique<ProgressBar>(p.stage);
      first = p.done;  // the bar starts now: the unit just reported was not timed by it
    }
    bar->update(p.done, p.total, first, p.item);
  };
  const SearchResult result = run_search(*c.dataset, *c.backbone, c.match, c.run, c.search, context);
  if (bar) bar->finish();
  std::signal(SIGINT, SIG_DFL);
  if (!result.split_note.empty()) std::cerr << "note: " << result.split_note << "\n";
  if (!result.complete) {
    std::cerr << "interrupted; " << result.scored_now << " sets finished now, " << result.resumed
              << " resumed. Continue with the same command and --resume\n";
    return 130;
  }
  print_search_table(result, c.run, c.search);
  std::printf("%lld sets scored now, %lld resumed, %.1f s, %lld backbone passes\n",
              static_cast<long long>(result.scored_now), static_cast<long long>(result.resumed),
              result.seconds, static_cast<long long>(result.backbone_passes));
  std::cout << "wrote " << c.search.output_dir << "/search.jsonl, search_summary.json\n";
  return 0;
}

}  // namespace hpf::cli
