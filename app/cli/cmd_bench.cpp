// hpf bench: per-stage time and peak memory of one pair at the backbone's side (300 px; DINOv2 518 px), for
// our pipeline and, measured in the same run, the baselines the goals are stated against: a straightforward
// transcription of the reference (N_s x n_bins vote buffer) and the "naive floor" (backbone passes + one fp32
// product of the concatenated hyperpixels). SCOT (--matcher scot) is measured beside HPF: with CAM marginals,
// without, and in the reference formulation.
//
// Each (configuration, variant) runs in a child process so that its peak resident memory can be read from
// wait4(); times are medians over --repeat runs after one warm-up.

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/compute/backbone.h"
#include "core/compute/dinov2.h"
#include "core/compute/rhm_transcription.h"
#include "core/compute/runtime.h"
#include "core/compute/transfer.h"
#include "core/eval/evaluation_job.h"
#include "core/image/image_io.h"
#include "core/pipeline/model_loader.h"
#include "core/pipeline/pair_matching.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hpf::cli {
namespace {

struct BenchConfig {
  const char* name;
  const char* backbone;
  const char* layers;
};
const BenchConfig kConfigs[] = {
    {"mobilenet_v2 (2,4,7,10,13)", "mobilenet_v2", "2,4,7,10,13"},
    {"mobilenet_v2 (4,7,10,13,16)", "mobilenet_v2", "4,7,10,13,16"},
    {"resnet101 (2,17,21,22,25,26,28)", "resnet101", "2,17,21,22,25,26,28"},
    {"dinov2_vits14 (11) 518 px", "dinov2_vits14", "11"},
    {"dinov2_vitb14 (11) 518 px", "dinov2_vitb14", "11"},
    {"dinov2_vitb14 (7,9,11) 518 px", "dinov2_vitb14", "7,9,11"},
};
const char* kVariants[] = {"idle", "floor",          "transcription", "ours-reference",
                           "ours", "scot-reference", "scot-no-cam",   "scot"};

bool is_scot(const std::string& variant) {
  return variant.rfind("scot", 0) == 0;
}

using Stages = std::map<std::string, double>;

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// A textured synthetic photo-sized image (deterministic), used when no image pair is given.
DecodedImage synthetic_image(int width, int height, uint64_t seed) {
  at::manual_seed(seed);
  at::Tensor small = at::rand({1, 3, height / 16, width / 16}) * 255;
  at::Tensor big =
      at::upsample_bilinear2d(small, {height, width}, false) + at::rand({1, 3, height, width}) * 40;
  DecodedImage image;
  image.rgb = big.clamp(0, 255).to(at::kByte)[0].permute({1, 2, 0}).contiguous();
  image.original_width = width;
  image.original_height = height;
  return image;
}

Stages run_variant(const std::string& variant, const HyperpixelFlow& flow, const DecodedImage& a,
                   const DecodedImage& b) {
  c10::InferenceMode inference;
  Stages stages;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Point2> points = grid_points(a.original_width, a.original_height, 4);
  if (variant == "floor") {
    const int side = flow.options().max_side;
    const PreparedImage pa = prepare_image(a.rgb, side), pb = prepare_image(b.rgb, side);
    auto t = std::chrono::steady_clock::now();
    std::vector<at::Tensor> ma = flow.backbone().extract(pa.tensor, flow.options().layers);
    std::vector<at::Tensor> mb = flow.backbone().extract(pb.tensor, flow.options().layers);
    stages["backbone"] = ms_since(t);
    // Concatenated, upsampled hyperpixel features (not timed: the floor is the backbone plus the product).
    std::vector<LayerInfo> layers;
    for (int id : flow.options().layers) layers.push_back(flow.backbone().layers()[id]);
    const Hyperpixels ha = assemble_hyperpixels(ma, layers, pa.width(), pa.height());
    const Hyperpixels hb = assemble_hyperpixels(mb, layers, pb.width(), pb.height());
    t = std::chrono::steady_clock::now();
    const at::Tensor product = at::matmul(ha.features, hb.features.t());
    stages["similarity"] = ms_since(t);
    stages["total"] = stages["backbone"] + stages["similarity"];
    return stages;
  }
  if (variant == "transcription") {
    StageTimings timings;
    const ImageFeatures fa = describe_image(flow, a, &timings), fb = describe_image(flow, b, &timings);
    RhmTimings rhm;
    const BestMatches best = rhm_transcription(fa.hyperpixels, fb.hyperpixels, flow.options().rhm, &rhm);
    auto t = std::chrono::steady_clock::now();
    const at::Tensor kps = scale_points(points, fa.image.ratio);
    transfer_keypoints(fa.hyperpixels.boxes, fb.hyperpixels.boxes, best.target_index, kps);
    stages["transfer"] = ms_since(t) + rhm.argmax_ms;
    stages["backbone"] = timings.backbone_ms;
    stages["hyperpixels"] = timings.hyperpixel_ms;
    stages["similarity"] = rhm.similarity_ms;
    stages["voting"] = rhm.voting_ms;
    stages["smoothing"] = rhm.smoothing_ms;
  } else if (variant == "ours" || variant == "ours-reference" || is_scot(variant)) {
    MatchedPair pair = match_images(flow, a, b);
    transfer_points(pair, points, &pair.timings.transfer_ms);
    stages["backbone"] = pair.timings.backbone_ms;
    stages["hyperpixels"] = pair.timings.hyperpixel_ms;
    stages["similarity"] = pair.timings.rhm.similarity_ms;
    stages["voting"] = pair.timings.rhm.voting_ms;
    stages["smoothing"] = pair.timings.rhm.smoothing_ms;
    stages["transport"] = pair.timings.rhm.transport_ms;
    stages["transfer"] = pair.timings.rhm.argmax_ms + pair.timings.transfer_ms;
  }
  stages["total"] = ms_since(start);
  return stages;
}

// Child: one configuration and variant; prints the median stage times as one JSON line.
int bench_child(const QCommandLineParser& parser) {
  const BenchConfig& config = kConfigs[int_option(parser, "config")];
  const std::string variant = parser.value("variant").toStdString();
  set_compute_threads(int_option(parser, "threads"));
  auto backbone = make_backbone(config.backbone);
  if (std::string(config.backbone) == "mobilenet_v2" && parser.isSet("mobilenet-weights")) {
    backbone = load_backbone(config.backbone, parser.value("mobilenet-weights").toStdString(), "cpu");
  }
  MatchOptions options;
  options.layers = parse_layer_set(config.layers);
  options.max_side = default_max_side(config.backbone);
  options.rhm.factorized_similarity = variant == "ours" || variant == "scot" || variant == "scot-no-cam";
  if (is_scot(variant)) {
    options.method = "scot";
    options.ot.cam = variant != "scot-no-cam";
  }
  const HyperpixelFlow flow(*backbone, options);
  const DecodedImage a = parser.isSet("source") ? read_image(parser.value("source").toStdString())
                                                : synthetic_image(400, 300, 1);
  const DecodedImage b = parser.isSet("target") ? read_image(parser.value("target").toStdString())
                                                : synthetic_image(300, 400, 2);
  std::vector<Stages> runs;
  if (variant != "idle") {
    run_variant(variant, flow, a, b);  // warm-up
    for (int i = 0; i < int_option(parser, "repeat"); ++i) runs.push_back(run_variant(variant, flow, a, b));
  }
  QJsonObject out;
  if (!runs.empty()) {
    for (const auto& [stage, unused] : runs.front()) {
      std::vector<double> values;
      for (const Stages& run : runs) values.push_back(run.at(stage));
      std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
      out[QString::fromStdString(stage)] = values[values.size() / 2];
    }
  }
  std::cout << QJsonDocument(out).toJson(QJsonDocument::Compact).toStdString() << std::endl;
  return 0;
}

struct ChildResult {
  Stages stages;
  double peak_mb = 0;
};

ChildResult spawn_child(const std::vector<std::string>& arguments) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("bench: pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> argv;
  for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, arguments[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    throw std::runtime_error("bench: cannot start " + arguments[0]);
  }
  std::string output;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) output.append(buffer, static_cast<size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("bench: a measurement failed");
  ChildResult result;
  result.peak_mb = usage.ru_maxrss / 1024.0;
  const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(output)).object();
  for (auto it = o.begin(); it != o.end(); ++it)
    result.stages[it.key().toStdString()] = it.value().toDouble();
  return result;
}

std::string fixed(double v, int digits = 0) {
  char cell[32];
  std::snprintf(cell, sizeof cell, "%.*f", digits, v);
  return cell;
}

// Evaluation throughput with and without the per-image feature cache and image prefetching, same pairs, same
// run.
int bench_eval(const QCommandLineParser& parser) {
  set_compute_threads(int_option(parser, "threads"));
  const auto dataset =
      open_dataset(parser.value("eval-dataset").toStdString(), parser.value("eval-root").toStdString());
  auto backbone = parser.isSet("mobilenet-weights")
                      ? load_backbone("mobilenet_v2", parser.value("mobilenet-weights").toStdString(), "cpu")
                      : make_backbone("mobilenet_v2");
  MatchOptions options;
  options.layers = parse_layer_set("4,7,10,13,16");
  const HyperpixelFlow flow(*backbone, options);
  const std::string scratch =
      (std::filesystem::temp_directory_path() / ("hpf-bench-eval-" + std::to_string(::getpid()))).string();
  std::vector<std::vector<std::string>> rows;
  double cached_rate = 0;
  for (const bool cache : {true, false}) {
    EvalOptions eval;
    eval.alphas = {"0.1"};
    eval.limit = int_option(parser, "eval-limit");
    eval.use_cache = cache;
    eval.output_dir = scratch + (cache ? "/cached" : "/uncached");
    std::cerr << "evaluating " << (cache ? "with" : "without") << " cache and prefetch\n";
    const EvalResult r = run_evaluation(*dataset, flow, RunDescription{}, eval);
    const double rate = r.evaluated / r.seconds;
    if (cache) cached_rate = rate;
    rows.push_back({cache ? "cache + prefetch" : "no cache, no prefetch", std::to_string(r.evaluated),
                    fixed(r.seconds, 1), fixed(rate, 2), std::to_string(r.cache_misses),
                    fixed(cached_rate / rate, 2) + "x"});
  }
  std::error_code ignored;
  std::filesystem::remove_all(scratch, ignored);
  std::cout << "evaluation throughput, mobilenet_v2 (4,7,10,13,16), " << compute_threads() << " threads\n";
  print_table({"mode", "pairs", "seconds", "pairs/s", "backbone passes", "cached speed-up"}, rows);
  return 0;
}

}  // namespace

int bench(const QStringList& args) {
  QCommandLineParser parser;
  parser.addOptions({
      {"repeat", "Timed runs per measurement (median reported).", "n", "3"},
      {"threads", "CPU threads for LibTorch (0 = all cores).", "n", "0"},
      {"source", "Source image (default: a synthetic 400x300 image).", "file"},
      {"target", "Target image (default: a synthetic 300x400 image).", "file"},
      {"mobilenet-weights",
       "MobileNetV2 checkpoint (default: random weights; timing does not depend on them).", "file"},
      {"only", "Run only configuration K (0-based).", "K"},
      {"eval-dataset",
       "Instead: evaluation throughput with vs. without the feature cache on this dataset kind.", "kind"},
      {"eval-root", "Dataset folder or archive for --eval-dataset.", "path"},
      {"eval-limit", "Pairs evaluated per mode with --eval-dataset (0: the whole split).", "N", "0"},
      {"child", "internal"},
      {"config", "internal", "K", "0"},
      {"variant", "internal", "name", "ours"},
  });
  parse_or_throw(parser, args,
                 "Benchmark the pipeline against the reference transcription and the naive floor.");
  if (parser.isSet("child")) return bench_child(parser);
  if (parser.isSet("eval-dataset")) return bench_eval(parser);

  const std::string self = QCoreApplication::applicationFilePath().toStdString();
  std::vector<std::vector<std::string>> rows;
  for (int c = 0; c < static_cast<int>(std::size(kConfigs)); ++c) {
    if (parser.isSet("only") && int_option(parser, "only") != c) continue;
    std::map<std::string, ChildResult> results;
    // DINOv2 has no ImageNet classifier, so no CAM marginals.
    const bool has_classifier = !is_dinov2(kConfigs[c].backbone);
    for (const char* variant : kVariants) {
      const std::string name = variant;
      if (!has_classifier && (name == "scot" || name == "scot-reference")) continue;  // CAM marginals
      std::vector<std::string> argv = {self,
                                       "bench",
                                       "--child",
                                       "--config",
                                       std::to_string(c),
                                       "--variant",
                                       variant,
                                       "--repeat",
                                       parser.value("repeat").toStdString(),
                                       "--threads",
                                       parser.value("threads").toStdString()};
      for (const char* option : {"source", "target", "mobilenet-weights"}) {
        if (parser.isSet(option)) {
          argv.push_back(std::string("--") + option);
          argv.push_back(parser.value(option).toStdString());
        }
      }
      std::cerr << "measuring " << kConfigs[c].name << ": " << variant << "\n";
      results[variant] = spawn_child(argv);
    }
    const double floor = results["floor"].stages["total"];
    const double ours = results["ours"].stages["total"];
    const double idle = results["idle"].peak_mb;
    for (const char* variant :
         {"floor", "transcription", "ours-reference", "ours", "scot-reference", "scot-no-cam", "scot"}) {
      if (!results.count(variant)) continue;
      Stages& s = results[variant].stages;
      rows.push_back(
          {kConfigs[c].name, variant, fixed(s["backbone"]), fixed(100 * s["backbone"] / s["total"]),
           fixed(s["hyperpixels"]), fixed(s["similarity"]), fixed(s["transport"]), fixed(s["voting"]),
           fixed(s["smoothing"]), fixed(s["transfer"]), fixed(s["total"]), fixed(s["total"] / floor, 2) + "x",
           fixed(s["total"] / ours, 2) + "x", fixed(results[variant].peak_mb - idle)});
    }
  }
  std::cout
      << "times in ms (median of " << parser.value("repeat").toStdString() << "), " << compute_threads()
      << " threads; 'x floor' = total / naive floor of the same run, 'x hpf' = total / ours (HPF) of the same"
         " run; bb % = the backbone's share of the total; scot = SCOT with CAM marginals (its backbone time"
         " includes the CAM's two extra passes; scot and scot-reference use CAM, so not for DINOv2, which"
         " has no classifier); DINOv2 rows use random weights at 518 px; peak = max RSS above the idle"
         " process\n";
  print_table({"configuration", "variant", "backbone", "bb %", "hyperpix", "similarity", "transport",
               "voting", "smoothing", "transfer", "total", "x floor", "x hpf", "peak MB"},
              rows);
  return 0;
}

}  // namespace hpf::cli
