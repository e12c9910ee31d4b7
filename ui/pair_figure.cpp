#include "ui/pair_figure.h"

#include <cmath>

namespace hpf {

bool prediction_correct(const PairFigure& f, size_t i, double alpha, double threshold) {
  if (i >= f.transferred.size() || i >= f.target_truth.size() || !f.transferred[i]) return false;
  const QPointF d = *f.transferred[i] - f.target_truth[i];
  return std::hypot(d.x(), d.y()) <= alpha * threshold;
}

bool methods_agree(const PairFigure& f, size_t i, double radius) {
  if (i >= f.transferred.size() || i >= f.comparison_transferred.size()) return false;
  if (!f.transferred[i] || !f.comparison_transferred[i]) return false;
  const QPointF d = *f.transferred[i] - *f.comparison_transferred[i];
  return std::hypot(d.x(), d.y()) <= radius;
}

double agreement_radius(const PairFigure& f, double alpha, double threshold) {
  return f.has_truth() && threshold > 0 ? alpha * threshold : f.target_cell;
}

}  // namespace hpf
