#pragma once
// What a point query's confidence is made of, side by side over small copies of the target: the cosine row
// of the queried point, the method's votes (HPF: cos^d; SCOT: the transport plan), and the confidence after
// the Hough weighting. With SCOT, this is where one sees what optimal transport changes.

#include "ui/query_overlay.h"

#include <QWidget>

#include <array>
#include <optional>

class QLabel;

namespace hpf {

class QueryRows : public QWidget {
  Q_OBJECT
 public:
  explicit QueryRows(QWidget* parent = nullptr);

  // The target image the rows are drawn over (original pixels of `size`).
  void set_target(const QImage& target, const QSize& size);
  // Empty or uncovered: the thumbnails are cleared.
  void show_query(const std::optional<QueryOverlay>& query);

  // The caption of each thumbnail, for tests.
  QString caption(int i) const;

 private:
  QImage target_;
  QSize target_size_;
  std::array<QLabel*, 3> images_{};
  std::array<QLabel*, 3> captions_{};
};

}  // namespace hpf
