// hpf features IMAGE: a backbone's layer outputs as NumPy arrays (layer_<id>.npy) plus features.json.

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "app/cli/match_options.h"
#include "core/compute/layer_set.h"
#include "core/pipeline/feature_export.h"
#include "core/pipeline/model_loader.h"

#include <iostream>

namespace hpf::cli {

int features(const QStringList& args) {
  QCommandLineParser parser;
  parser.addPositionalArgument("image", "Image whose features to export.");
  parser.addOptions({
      {"backbone",
       "Backbone: resnet50, resnet101, fcn_resnet101, mobilenet_v2, dinov2_vit{s,b,l,g}14[_reg], or dinov2 "
       "(a DINOv2 ViT checkpoint given with --weights; its size and registers are read from the file).",
       "name", "resnet101"},
      {"weights",
       "State-dict checkpoint (.pth), torchvision's or DINOv2's. Default: the official weights from the "
       "cache, downloaded on request.",
       "file"},
      {"device", "Compute device: auto, cpu or cuda.", "device", "auto"},
      {"layers",
       "Layer ids and ranges to export, e.g. 2,4-7. Default: the paper's set for the backbone; DINOv2: "
       "every block.",
       "ids"},
      {"max-side",
       "Longer image side after HPF's resize, 32 to 4096, or 0 for the original size. Default: 300 for the "
       "CNNs, 518 for DINOv2.",
       "px"},
      {"raw-input",
       "Only convert to RGB float and normalise (ImageNet mean/std): no resize, so the backbone sees exactly "
       "the image's pixels."},
      {"output", "Directory for layer_<id>.npy (float32, C x h x w) and features.json.", "dir",
       "hpf-features"},
  });
  parse_or_throw(parser, args, "Export a backbone's layer outputs for one image as NumPy arrays.");
  const QStringList positional = parser.positionalArguments();
  if (positional.size() != 1) throw UsageError("expected one IMAGE");
  FeatureExportOptions options;
  try {
    if (parser.isSet("layers")) options.layers = parse_layer_set(parser.value("layers").toStdString());
    MatchOptions bounds;  // the image side obeys the matching options' bound
    bounds.layers = {0};
    bounds.max_side = parser.isSet("max-side") ? int_option(parser, "max-side")
                                               : default_max_side(parser.value("backbone").toStdString());
    bounds.check();
    options.max_side = bounds.max_side;
  } catch (const OptionError& e) {
    throw UsageError(flag_for_option(e.option()) + ": " + e.problem());
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--backbone: ") + e.what());
  }
  options.raw_input = parser.isSet("raw-input");
  const ModelChoice model = read_model_choice(parser);
  const DecodedImage image = read_image(positional.front().toStdString());
  for (const std::string& w : image.warnings) std::cerr << "note: " << w << "\n";
  auto backbone = load_backbone(model.backbone, model.weights, model.device);
  const std::string dir = parser.value("output").toStdString();
  for (const std::string& path : export_features(*backbone, image, options, dir))
    std::cout << "wrote " << path << "\n";
  return 0;
}

}  // namespace hpf::cli
