#include "ui/match_settings.h"

#include "core/compute/backbone.h"

#include <QCoreApplication>

#include <map>

namespace hpf {

bool MatchSettings::needs_recompute(const MatchSettings& o) const {
  return backbone != o.backbone || weights_path != o.weights_path || device != o.device || match != o.match ||
         grid_per_side != o.grid_per_side;
}

void MatchSettings::save(QSettings& s) const {
  s.beginGroup(QStringLiteral("match"));
  s.setValue("backbone", backbone);
  s.setValue("weights", weights_path);
  s.setValue("device", device);
  s.setValue("method", QString::fromStdString(match.method));
  s.setValue("layers", QString::fromStdString(format_layer_ids(match.layers)));
  s.setValue("exponent", match.rhm.exponent);
  s.setValue("ncells", static_cast<qint64>(match.rhm.ncells));
  s.setValue("kernel", static_cast<qint64>(match.rhm.kernel_size));
  s.setValue("ot_epsilon", match.ot.epsilon);
  s.setValue("ot_exponent", match.ot.exponent);
  s.setValue("cam", match.ot.cam);
  s.setValue("voting", match.rhm.hough_voting);
  s.setValue("factorized", match.rhm.factorized_similarity);
  s.setValue("prune", match.hyperpixels.prune_margin);
  s.setValue("max_side", match.max_side);
  s.setValue("alpha", alpha);
  s.setValue("threshold", threshold == ThresholdChoice::Image ? "image" : "bbox");
  s.setValue("grid", grid_per_side);
  s.endGroup();
}

MatchSettings MatchSettings::load(QSettings& s) {
  MatchSettings m;
  MatchOptions& o = m.match;
  s.beginGroup(QStringLiteral("match"));
  m.backbone = s.value("backbone", m.backbone).toString();
  m.weights_path = s.value("weights", m.weights_path).toString();
  m.device = s.value("device", m.device).toString();
  o.method = s.value("method", QString::fromStdString(o.method)).toString().toStdString();
  try {
    const QString layers = s.value("layers").toString().trimmed();
    if (!layers.isEmpty()) o.layers = parse_layer_set(layers.toStdString());
  } catch (const OptionError&) {
    o.layers.clear();  // a stored set this version cannot read: the backbone's default
  }
  o.rhm.exponent = s.value("exponent", o.rhm.exponent).toDouble();
  o.rhm.ncells = s.value("ncells", static_cast<qint64>(o.rhm.ncells)).toLongLong();
  o.rhm.kernel_size = s.value("kernel", static_cast<qint64>(o.rhm.kernel_size)).toLongLong();
  o.ot.epsilon = s.value("ot_epsilon", o.ot.epsilon).toDouble();
  o.ot.exponent = s.value("ot_exponent", o.ot.exponent).toDouble();
  o.ot.cam = s.value("cam", o.ot.cam).toBool();
  o.rhm.hough_voting = s.value("voting", o.rhm.hough_voting).toBool();
  o.rhm.factorized_similarity = s.value("factorized", o.rhm.factorized_similarity).toBool();
  o.hyperpixels.prune_margin = s.value("prune", o.hyperpixels.prune_margin).toBool();
  o.max_side = s.value("max_side", o.max_side).toInt();
  m.alpha = s.value("alpha", m.alpha).toDouble();
  m.threshold =
      s.value("threshold").toString() == "image" ? ThresholdChoice::Image : ThresholdChoice::BoundingBox;
  m.grid_per_side = s.value("grid", m.grid_per_side).toInt();
  s.endGroup();
  return m;
}

LayerSet layer_ids(const MatchSettings& settings) {
  return settings.match.layers.empty() ? default_layers(settings.backbone.toStdString())
                                       : settings.match.layers;
}

MatchOptions to_match_options(const MatchSettings& settings) {
  MatchOptions options = settings.match;
  options.layers = layer_ids(settings);
  options.check();
  return options;
}

QString option_label(const std::string& option) {
  static const std::map<std::string, const char*> labels = {
      {"method", QT_TRANSLATE_NOOP("MatchSettings", "Matcher")},
      {"layers", QT_TRANSLATE_NOOP("MatchSettings", "Layers")},
      {"exponent", QT_TRANSLATE_NOOP("MatchSettings", "Similarity exponent")},
      {"ncells", QT_TRANSLATE_NOOP("MatchSettings", "Hough cells")},
      {"kernel_size", QT_TRANSLATE_NOOP("MatchSettings", "Smoothing kernel")},
      {"ot_epsilon", QT_TRANSLATE_NOOP("MatchSettings", "OT ε")},
      {"ot_exponent", QT_TRANSLATE_NOOP("MatchSettings", "OT exponent")},
      {"max_side", QT_TRANSLATE_NOOP("MatchSettings", "Image side")},
      {"memory_budget_mb", QT_TRANSLATE_NOOP("MatchSettings", "Memory budget")},
      {"alphas", QT_TRANSLATE_NOOP("MatchSettings", "α values")},
      {"limit", QT_TRANSLATE_NOOP("MatchSettings", "Limit")},
  };
  const auto found = labels.find(option);
  return found == labels.end() ? QString::fromStdString(option)
                               : QCoreApplication::translate("MatchSettings", found->second);
}

QString describe_option_error(const OptionError& error) {
  return option_label(error.option()) + QStringLiteral(": ") + QString::fromStdString(error.problem());
}

}  // namespace hpf
