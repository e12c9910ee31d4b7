#pragma once
// The pair view: source and target in one scene (side by side or stacked), so zoom and pan are shared by
// construction, with toggleable overlays drawn from a PairFigure and the current point query.

#include "ui/pair_figure.h"
#include "ui/query_overlay.h"

#include <QGraphicsView>

#include <array>
#include <memory>
#include <optional>

class QGraphicsItem;
class QGraphicsItemGroup;
class QGraphicsRectItem;

namespace hpf {

enum class Overlay {
  Keypoints,
  Transferred,
  MatchLines,
  HyperpixelLines,
  WarpedSource,
  FlowColours,
  Query,
  Activation,  // SCOT's class activation maps and marginal weights
  Comparison   // SCOT's pairs: where HPF sends the same points, and whether the two agree
};
constexpr int kOverlayCount = 9;

enum class PairLayout { SideBySide, Stacked };

class PairView : public QGraphicsView {
  Q_OBJECT
 public:
  explicit PairView(QWidget* parent = nullptr);

  void set_figure(std::shared_ptr<const PairFigure> figure);
  std::shared_ptr<const PairFigure> figure() const { return figure_; }

  void set_overlay_visible(Overlay overlay, bool visible);
  bool overlay_visible(Overlay overlay) const;
  void set_pair_layout(PairLayout layout);
  PairLayout pair_layout() const { return layout_; }
  // PCK colouring of transferred keypoints: correct within alpha * threshold (original target pixels).
  // threshold <= 0 (no ground truth): points keep their keypoint colour.
  void set_evaluation(double alpha, double threshold);
  void set_flow_opacity(double opacity);
  // Hyperpixel match lines: the `max_lines` strongest with confidence >= `min_fraction` x the strongest.
  void set_line_filter(double min_fraction, int max_lines);
  void show_query(const std::optional<QueryOverlay>& query);

  // Zoom so the whole figure fits (and keep fitting on resize until the user zooms).
  void fit();
  void zoom_by(double factor);

  // The overlay's items that stand for data (one per keypoint, line, box...), for inspection and tests. Each
  // carries its data index in data(kIndexRole). Positions are in the coordinates of the image they lie on
  // (original pixels); lines are in scene coordinates.
  QList<QGraphicsItem*> overlay_items(Overlay overlay) const;
  static constexpr int kIndexRole = 0;

  // Scene rectangle of the whole figure and of each image, for export.
  QRectF figure_rect() const;
  QPointF target_origin() const;
  // Visible part of the figure (what "export the current figure" renders).
  QRectF visible_figure_rect() const;

 Q_SIGNALS:
  void source_hovered(const QPointF& source_point);  // original source pixels
  void source_clicked(const QPointF& source_point);
  void left_source();

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void rebuild();
  // The steps of rebuild(), in drawing order.
  void add_frames(const PairFigure& figure);
  void add_dense_flow(const PairFigure& figure);
  void add_activation(const PairFigure& figure, double marker_radius);
  void add_hyperpixel_lines(const PairFigure& figure, double marker_radius);
  void add_match_lines(const PairFigure& figure, double marker_radius);
  void add_keypoints(const PairFigure& figure, double marker_radius);
  void add_transferred(const PairFigure& figure, double marker_radius);
  void add_comparison(const PairFigure& figure, double marker_radius);
  void rebuild_query();
  std::optional<QPointF> source_point_at(const QPoint& view_pos) const;
  QGraphicsItemGroup* group(Overlay overlay, QGraphicsItem* parent);
  double marker_radius() const;

  std::shared_ptr<const PairFigure> figure_;
  std::optional<QueryOverlay> query_;
  std::array<bool, kOverlayCount> visible_{};
  std::array<QList<QGraphicsItemGroup*>, kOverlayCount> groups_;
  std::array<QList<QGraphicsItem*>, kOverlayCount> items_;
  QGraphicsRectItem* source_frame_ = nullptr;
  QGraphicsRectItem* target_frame_ = nullptr;
  PairLayout layout_ = PairLayout::SideBySide;
  double alpha_ = 0.1, threshold_ = 0;
  double flow_opacity_ = 0.6;
  double line_fraction_ = 0.5;
  int max_lines_ = 200;
  bool fit_mode_ = true;
  QPoint press_pos_;
};

}  // namespace hpf
