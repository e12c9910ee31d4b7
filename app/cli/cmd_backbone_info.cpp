// hpf backbone-info: the layer table (id, stage, channels, jump, receptive field) of a backbone.

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/compute/backbone.h"

#include <iostream>

namespace hpf::cli {

int backbone_info(const QStringList& args) {
  QCommandLineParser parser;
  parser.addOption(
      {"backbone", "Backbone: resnet50, resnet101, fcn_resnet101, mobilenet_v2, dinov2_vit{s,b,l,g}14[_reg].",
       "name", "resnet101"});
  parse_or_throw(parser, args, "Print a backbone's selectable layers with their geometry.");
  const std::string name = parser.value("backbone").toStdString();
  const std::vector<LayerInfo> layers = backbone_layers(name);
  std::vector<std::vector<std::string>> rows;
  for (const LayerInfo& layer : layers) {
    rows.push_back({std::to_string(layer.id), layer.stage, std::to_string(layer.channels),
                    std::to_string(layer.jump), std::to_string(layer.receptive_field)});
  }
  std::cout << (name == "fcn101" ? "fcn_resnet101" : name) << ": " << rows.size()
            << " layers (jump and receptive field in input pixels)\n";
  print_table({"id", "stage", "channels", "jump", "rf"}, rows);
  return 0;
}

}  // namespace hpf::cli
