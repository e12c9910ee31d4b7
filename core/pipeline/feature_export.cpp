#include "core/pipeline/feature_export.h"

#include "core/compute/preprocess.h"
#include "core/fileio/atomic_file.h"
#include "core/fileio/npy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>

namespace hpf {

std::vector<std::string> export_features(Backbone& backbone, const DecodedImage& image,
                                         const FeatureExportOptions& options, const std::string& dir) {
  c10::InferenceMode inference;
  std::vector<int> ids = options.layers;
  if (ids.empty() && built_from_checkpoint(backbone.name())) {
    for (const LayerInfo& layer : backbone.layers()) ids.push_back(layer.id);  // every block
  } else if (ids.empty()) {
    ids = default_layers(backbone.name());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  ids = backbone.checked_ids(ids);
  const PreparedImage prepared = prepare_image(image.rgb, options.raw_input ? 0 : options.max_side);
  const std::vector<at::Tensor> maps = backbone.extract(prepared.tensor, ids);

  ensure_directory(dir);
  std::vector<std::string> written;
  QJsonArray layers;
  for (size_t i = 0; i < ids.size(); ++i) {
    const at::Tensor map = maps[i].squeeze(0).to(at::kCPU, at::kFloat).contiguous();
    const std::string name = "layer_" + std::to_string(ids[i]) + ".npy";
    write_file_atomically(dir + "/" + name, npy_float32(map.data_ptr<float>(), map.sizes().vec()));
    written.push_back(dir + "/" + name);
    const LayerInfo& info = backbone.layers()[ids[i]];
    layers.append(QJsonObject{{"id", ids[i]},
                              {"file", QString::fromStdString(name)},
                              {"channels", static_cast<qint64>(map.size(0))},
                              {"height", static_cast<qint64>(map.size(1))},
                              {"width", static_cast<qint64>(map.size(2))},
                              {"jump", static_cast<qint64>(info.jump)},
                              {"receptive_field", static_cast<qint64>(info.receptive_field)},
                              // position x's box is centred at x * jump + box_offset
                              {"box_offset", static_cast<qint64>(info.box_offset)}});
  }
  QJsonObject o;
  o["backbone"] = QString::fromStdString(backbone.name());
  o["image"] = QString::fromStdString(image.name);
  o["layers"] = layers;
  o["raw_input"] = options.raw_input;
  o["original_size"] = QJsonArray{image.original_width, image.original_height};
  o["input_size"] = QJsonArray{prepared.width(), prepared.height()};  // width, height fed to the backbone
  // A vision transformer pads (zeros after normalisation) at the bottom and right to whole patches: its maps
  // tile the padded input, one patch (jump) per position.
  const LayerInfo& first = backbone.layers()[ids.front()];
  o["padded_input_size"] = first.box_offset > 0
                               ? QJsonArray{static_cast<qint64>(maps[0].size(3) * first.jump),
                                            static_cast<qint64>(maps[0].size(2) * first.jump)}
                               : QJsonArray{prepared.width(), prepared.height()};
  // Input pixels per original pixel (decode-time reduction x resize).
  o["resize_ratio"] = static_cast<double>(image.scale * prepared.ratio);
  o["normalisation"] =
      QJsonObject{{"mean", QJsonArray{0.485, 0.456, 0.406}}, {"std", QJsonArray{0.229, 0.224, 0.225}}};
  QJsonArray warnings;
  for (const std::string& w : image.warnings) warnings.append(QString::fromStdString(w));
  o["warnings"] = warnings;
  write_file_atomically(dir + "/features.json", QJsonDocument(o).toJson().toStdString());
  written.push_back(dir + "/features.json");
  return written;
}

}  // namespace hpf
