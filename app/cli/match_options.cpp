#include "app/cli/match_options.h"

#include "app/cli/cli_common.h"
#include "core/compute/backbone.h"
#include "core/compute/runtime.h"
#include "core/weights/weights_cache.h"

#include <filesystem>
#include <map>
#include <optional>

#include <stdexcept>

namespace hpf::cli {

void add_match_options(QCommandLineParser& parser) {
  parser.addOptions({
      {"matcher",
       "Matching method: hpf (Hyperpixel Flow's Regularized Hough Matching) or scot (SCOT's optimal "
       "transport, then the same Hough voting; it resizes every image to --max-side, enlarging small ones, "
       "and keeps the margin hyperpixels, as its published code does).",
       "name", "hpf"},
      {"ot-eps",
       "scot: entropic regularisation epsilon of the Sinkhorn step, 0.001 to 10 (published: 0.05; doubled "
       "while the plan holds NaN values, with a warning).",
       "eps", "0.05"},
      {"ot-exponent",
       "scot: exponent exp2 of the rescaled transport plan, in (0, 8]. Published settings: 0.5 for "
       "PF-PASCAL and PF-WILLOW, 1.0 for SPair-71k.",
       "p", "0.5"},
      {"cam",
       "scot: marginals from class activation maps (the default; needs a backbone with an ImageNet "
       "classifier: not fcn_resnet101)."},
      {"no-cam", "scot: uniform marginals."},
      {"backbone",
       "Backbone: resnet50, resnet101, fcn_resnet101, mobilenet_v2, dinov2_vit{s,b,l,g}14[_reg] (DINOv2 "
       "vision transformers; layers are blocks), or dinov2 (any DINOv2 checkpoint given by --weights, "
       "its architecture read from the file).",
       "name", "resnet101"},
      {"weights",
       "State-dict checkpoint (.pth), torchvision's or DINOv2's. Default: the official weights from the "
       "cache ($HPF_WEIGHTS_DIR or ~/.cache/hyperpixel-studio/weights), downloaded on request.",
       "file"},
      {"layers",
       "Hyperpixel layer ids and ranges, e.g. 2,17,21,22,25,26,28 or 2,4-7 (DINOv2: block ids). Default: "
       "the paper's set for the backbone; DINOv2: its last block.",
       "ids"},
      {"exponent", "hpf: exponent d of the ReLU'd cosine similarity, in (0, 32] (paper: 3).", "d", "3"},
      {"ncells", "Number of Hough cells over the translation space, 1 to 1048576 (paper: 8192).", "n",
       "8192"},
      {"kernel", "Side of the Gaussian that smooths the Hough histogram, odd, 1 to 101 (paper: 7).", "k",
       "7"},
      {"no-voting",
       "Skip Regularized Hough Matching: nearest neighbour on appearance alone (ablation baseline)."},
      {"similarity",
       "How to compute cosine similarities: 'factorized' (per layer at native resolution, fast) or "
       "'reference' (from the concatenated features, bit-compatible with the published code).",
       "mode", "factorized"},
      {"no-prune",
       "Keep hyperpixels whose receptive field reaches beyond the image margin (Caltech-101 style)."},
      {"max-side",
       "Longer image side after resizing, 32 to 4096, or 0 to keep the original size. Default: 300 for "
       "the CNNs (the paper's), 518 for DINOv2 (its training resolution, 37 x 37 patches).",
       "px"},
      {"device", "Compute device: auto, cpu or cuda.", "device", "auto"},
      {"threads", "CPU threads for LibTorch (0 = all cores).", "n", "0"},
      {"memory-budget",
       "Refuse pairs whose matching needs more memory than this, suggesting a smaller "
       "--max-side instead (0 = half the physical memory).",
       "MB", "0"},
  });
}

std::string flag_for_option(const std::string& option) {
  static const std::map<std::string, std::string> flags = {
      {"method", "--matcher"},     {"ot_epsilon", "--ot-eps"}, {"ot_exponent", "--ot-exponent"},
      {"layers", "--layers"},      {"exponent", "--exponent"}, {"ncells", "--ncells"},
      {"kernel_size", "--kernel"}, {"max_side", "--max-side"}, {"memory_budget_mb", "--memory-budget"},
      {"alphas", "--alpha"},       {"shard", "--shard"},       {"limit", "--limit"},
      {"beam", "--beam"},          {"depth", "--depth"},       {"per_class", "--per-class"},
  };
  const auto found = flags.find(option);
  return found == flags.end() ? option : found->second;
}

MatchOptions read_match_options(const QCommandLineParser& parser, bool prune_default, bool layers_used) {
  MatchOptions options;
  const std::string backbone = parser.value("backbone").toStdString();
  std::vector<int> backbone_layers;
  int backbone_side = 0;
  try {
    backbone_side = default_max_side(backbone);  // also the check of the name
    if (!parser.isSet("layers")) {
      // The search's own candidates replace the set; the recorded one is then block 0.
      backbone_layers = layers_used || backbone != "dinov2" ? default_layers(backbone) : LayerSet{0};
    }
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--backbone: ") + e.what());
  }
  try {
    options.method = parser.value("matcher").toStdString();
    options.layers =
        parser.isSet("layers") ? parse_layer_set(parser.value("layers").toStdString()) : backbone_layers;
    options.rhm.exponent = double_option(parser, "exponent");
    options.ot.epsilon = double_option(parser, "ot-eps");
    options.ot.exponent = double_option(parser, "ot-exponent");
    if (parser.isSet("cam") && parser.isSet("no-cam"))
      throw UsageError("--cam and --no-cam contradict each other");
    options.ot.cam = !parser.isSet("no-cam");
    options.rhm.ncells = int_option(parser, "ncells");
    options.rhm.kernel_size = int_option(parser, "kernel");
    options.rhm.hough_voting = !parser.isSet("no-voting");
    const QString similarity = parser.value("similarity");
    if (similarity != "factorized" && similarity != "reference") {
      throw UsageError("--similarity expects 'factorized' or 'reference', got '" + similarity.toStdString() +
                       "'");
    }
    options.rhm.factorized_similarity = similarity == "factorized";
    options.hyperpixels.prune_margin = parser.isSet("no-prune") ? false : prune_default;
    options.max_side = parser.isSet("max-side") ? int_option(parser, "max-side") : backbone_side;
    options.memory_budget_mb = int_option(parser, "memory-budget");
    options.check();
  } catch (const OptionError& e) {
    throw UsageError(flag_for_option(e.option()) + ": " + e.problem());
  }
  set_compute_threads(int_option(parser, "threads"));
  return options;
}

ModelChoice read_model_choice(const QCommandLineParser& parser) {
  ModelChoice choice;
  choice.backbone = parser.value("backbone").toStdString();
  check_backbone_name(choice.backbone);
  choice.device = parser.value("device").toStdString();
  select_device(choice.device);
  // A user's file wins; otherwise the official weights from the cache (offline: WeightsUnavailable explains
  // which file to download from where, or `hpf weights download`).
  std::optional<std::filesystem::path> local;
  if (parser.isSet("weights")) local = parser.value("weights").toStdString();
  choice.weights = resolve_weights(choice.backbone, local).string();
  return choice;
}

}  // namespace hpf::cli
