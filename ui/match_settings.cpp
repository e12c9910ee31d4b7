#include "ui/match_settings.h"

#include "core/compute/matcher.h"

#include <stdexcept>

namespace hpf {

bool MatchSettings::needs_recompute(const MatchSettings& o) const {
  return backbone != o.backbone || weights_path != o.weights_path || device != o.device ||
         layers != o.layers || exponent != o.exponent || ncells != o.ncells || kernel_size != o.kernel_size ||
         hough_voting != o.hough_voting || factorized_similarity != o.factorized_similarity ||
         prune_margin != o.prune_margin || max_side != o.max_side || grid_per_side != o.grid_per_side;
}

void MatchSettings::save(QSettings& s) const {
  s.beginGroup(QStringLiteral("match"));
  s.setValue("backbone", backbone);
  s.setValue("weights", weights_path);
  s.setValue("device", device);
  s.setValue("layers", layers);
  s.setValue("exponent", exponent);
  s.setValue("ncells", ncells);
  s.setValue("kernel", kernel_size);
  s.setValue("voting", hough_voting);
  s.setValue("factorized", factorized_similarity);
  s.setValue("prune", prune_margin);
  s.setValue("max_side", max_side);
  s.setValue("alpha", alpha);
  s.setValue("threshold", threshold == ThresholdChoice::Image ? "image" : "bbox");
  s.setValue("grid", grid_per_side);
  s.endGroup();
}

MatchSettings MatchSettings::load(QSettings& s) {
  MatchSettings m;
  s.beginGroup(QStringLiteral("match"));
  m.backbone = s.value("backbone", m.backbone).toString();
  m.weights_path = s.value("weights", m.weights_path).toString();
  m.device = s.value("device", m.device).toString();
  m.layers = s.value("layers", m.layers).toString();
  m.exponent = s.value("exponent", m.exponent).toDouble();
  m.ncells = s.value("ncells", m.ncells).toInt();
  m.kernel_size = s.value("kernel", m.kernel_size).toInt();
  m.hough_voting = s.value("voting", m.hough_voting).toBool();
  m.factorized_similarity = s.value("factorized", m.factorized_similarity).toBool();
  m.prune_margin = s.value("prune", m.prune_margin).toBool();
  m.max_side = s.value("max_side", m.max_side).toInt();
  m.alpha = s.value("alpha", m.alpha).toDouble();
  m.threshold =
      s.value("threshold").toString() == "image" ? ThresholdChoice::Image : ThresholdChoice::BoundingBox;
  m.grid_per_side = s.value("grid", m.grid_per_side).toInt();
  s.endGroup();
  return m;
}

QList<int> layer_ids(const MatchSettings& settings) {
  const std::vector<int> ids = settings.layers.trimmed().isEmpty()
                                   ? default_layers(settings.backbone.toStdString())
                                   : parse_layer_ids(settings.layers.toStdString());
  return QList<int>(ids.begin(), ids.end());
}

MatchOptions to_match_options(const MatchSettings& s) {
  if (s.kernel_size < 1 || s.kernel_size % 2 == 0) {
    throw std::invalid_argument("RHM kernel size must be a positive odd number, found " +
                                std::to_string(s.kernel_size));
  }
  if (s.ncells < 1)
    throw std::invalid_argument("Hough cells must be positive, found " + std::to_string(s.ncells));
  if (s.exponent <= 0) throw std::invalid_argument("similarity exponent must be positive");
  if (s.max_side < 32) throw std::invalid_argument("image side must be at least 32 pixels");
  MatchOptions o;
  const QList<int> ids = layer_ids(s);
  o.layers.assign(ids.begin(), ids.end());
  o.rhm.exponent = s.exponent;
  o.rhm.ncells = s.ncells;
  o.rhm.kernel_size = s.kernel_size;
  o.rhm.hough_voting = s.hough_voting;
  o.rhm.factorized_similarity = s.factorized_similarity;
  o.hyperpixels.prune_margin = s.prune_margin;
  o.max_side = s.max_side;
  return o;
}

}  // namespace hpf
