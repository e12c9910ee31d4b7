#include "app/cli/match_options.h"

#include "app/cli/cli_common.h"
#include "core/compute/backbone.h"
#include "core/compute/runtime.h"
#include "core/weights/weights_cache.h"

#include <filesystem>
#include <optional>

#include <stdexcept>

namespace hpf::cli {

void add_match_options(QCommandLineParser& parser) {
  parser.addOptions({
      {"backbone", "Backbone: resnet50, resnet101, fcn_resnet101, mobilenet_v2.", "name", "resnet101"},
      {"weights", "torchvision checkpoint (.pth). Default: the official weights from the cache "
                  "($HPF_WEIGHTS_DIR or ~/.cache/hyperpixel-studio/weights), downloaded on request.", "file"},
      {"layers", "Hyperpixel layer ids, e.g. 2,17,21,22,25,26,28. Default: the paper's set for the backbone.", "ids"},
      {"exponent", "Exponent d of the ReLU'd cosine similarity (paper: 3).", "d", "3"},
      {"ncells", "Number of Hough cells over the translation space (paper: 8192).", "n", "8192"},
      {"kernel", "Side of the Gaussian that smooths the Hough histogram, odd (paper: 7).", "k", "7"},
      {"no-voting", "Skip Regularized Hough Matching: nearest neighbour on appearance alone (ablation baseline)."},
      {"similarity", "How to compute cosine similarities: 'factorized' (per layer at native resolution, fast) or "
                     "'reference' (from the concatenated features, bit-compatible with the published code).",
       "mode", "factorized"},
      {"no-prune", "Keep hyperpixels whose receptive field reaches beyond the image margin (Caltech-101 style)."},
      {"max-side", "Longer image side after resizing, 0 to keep the original size (paper: 300).", "px", "300"},
      {"device", "Compute device: auto, cpu or cuda.", "device", "auto"},
      {"threads", "CPU threads for LibTorch (0 = all cores).", "n", "0"},
      {"memory-budget", "Refuse pairs whose matching needs more memory than this, suggesting a smaller "
                        "--max-side instead (0 = half the physical memory).", "MB", "0"},
  });
}

MatchOptions read_match_options(const QCommandLineParser& parser, bool prune_default) {
  MatchOptions options;
  const std::string backbone = parser.value("backbone").toStdString();
  try {
    options.layers = parser.isSet("layers") ? parse_layer_ids(parser.value("layers").toStdString())
                                            : default_layers(backbone);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--layers: ") + e.what());
  }
  options.rhm.exponent = double_option(parser, "exponent");
  if (!(options.rhm.exponent > 0)) throw UsageError("--exponent must be positive");
  options.rhm.ncells = int_option(parser, "ncells");
  if (options.rhm.ncells < 1) throw UsageError("--ncells must be at least 1");
  options.rhm.kernel_size = int_option(parser, "kernel");
  if (options.rhm.kernel_size < 1 || options.rhm.kernel_size % 2 == 0) throw UsageError("--kernel must be odd");
  options.rhm.hough_voting = !parser.isSet("no-voting");
  const QString similarity = parser.value("similarity");
  if (similarity != "factorized" && similarity != "reference") {
    throw UsageError("--similarity expects 'factorized' or 'reference', got '" + similarity.toStdString() + "'");
  }
  options.rhm.factorized_similarity = similarity == "factorized";
  options.hyperpixels.prune_margin = parser.isSet("no-prune") ? false : prune_default;
  options.max_side = int_option(parser, "max-side");
  if (options.max_side < 0) throw UsageError("--max-side must be 0 or positive");
  options.memory_budget_mb = int_option(parser, "memory-budget");
  if (options.memory_budget_mb < 0) throw UsageError("--memory-budget must be 0 or positive");
  set_compute_threads(int_option(parser, "threads"));
  return options;
}

ModelChoice read_model_choice(const QCommandLineParser& parser) {
  ModelChoice choice;
  choice.backbone = parser.value("backbone").toStdString();
  make_backbone(choice.backbone);  // validates the name with a helpful message
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
