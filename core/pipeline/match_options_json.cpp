#include "core/pipeline/match_options_json.h"

#include <QJsonArray>
#include <QString>

namespace hpf {

QJsonObject match_options_json(const MatchOptions& options) {
  QJsonArray layers;
  for (int id : options.layers) layers.append(id);
  QJsonObject o;
  o["method"] = QString::fromStdString(options.method);
  o["layers"] = layers;
  o["exponent"] = options.rhm.exponent;
  o["ncells"] = static_cast<qint64>(options.rhm.ncells);
  o["kernel_size"] = static_cast<qint64>(options.rhm.kernel_size);
  o["hough_voting"] = options.rhm.hough_voting;
  o["similarity"] = options.rhm.factorized_similarity ? "factorized" : "reference";
  if (options.method == "scot") {
    o["ot_epsilon"] = options.ot.epsilon;
    o["ot_exponent"] = options.ot.exponent;
    o["cam"] = options.ot.cam;
  }
  o["prune_margin"] = options.prunes_margin();
  o["max_side"] = options.max_side;
  return o;
}

}  // namespace hpf
