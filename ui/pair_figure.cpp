#include "ui/pair_figure.h"

#include <cmath>

namespace hpf {

bool prediction_correct(const PairFigure& f, size_t i, double alpha, double threshold) {
  if (i >= f.transferred.size() || i >= f.target_truth.size() || !f.transferred[i]) return false;
  const QPointF d = *f.transferred[i] - f.target_truth[i];
  return std::hypot(d.x(), d.y()) <= alpha * threshold;
}

}  // namespace hpf
