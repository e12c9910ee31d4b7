#include "ui/pair_view.h"

#include "ui/colormap.h"

#include <QGraphicsEllipseItem>
#include <QGraphicsItemGroup>
#include <QGraphicsLineItem>
#include <QGraphicsPixmapItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QMouseEvent>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace hpf {

namespace {

const QColor kCorrect(46, 204, 113);
const QColor kWrong(231, 76, 60);
const QColor kSourceBox(0, 200, 255);
const QColor kTargetBox(255, 220, 0);

int index_of(Overlay o) {
  return static_cast<int>(o);
}

QPen cosmetic_pen(const QColor& colour, double width, Qt::PenStyle style = Qt::SolidLine) {
  QPen pen(colour, width, style);
  pen.setJoinStyle(Qt::RoundJoin);
  pen.setCapStyle(Qt::RoundCap);
  return pen;
}

// An image drawn over an original-pixel frame, whatever resolution it was computed at.
QGraphicsPixmapItem* stretched_pixmap(const QImage& image, const QSizeF& frame, QGraphicsItem* parent) {
  auto* item = new QGraphicsPixmapItem(QPixmap::fromImage(image), parent);
  item->setTransformationMode(Qt::SmoothTransformation);
  if (!image.isNull()) {
    item->setTransform(QTransform::fromScale(frame.width() / image.width(), frame.height() / image.height()));
  }
  return item;
}

}  // namespace

PairView::PairView(QWidget* parent) : QGraphicsView(parent) {
  setScene(new QGraphicsScene(this));
  setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform);
  setDragMode(QGraphicsView::ScrollHandDrag);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setResizeAnchor(QGraphicsView::AnchorViewCenter);
  setBackgroundBrush(QColor(48, 48, 52));
  setFrameShape(QFrame::NoFrame);
  setAcceptDrops(false);  // the main window takes dropped files
  viewport()->setMouseTracking(true);
  visible_.fill(true);
  visible_[index_of(Overlay::HyperpixelLines)] = false;
  visible_[index_of(Overlay::WarpedSource)] = false;
  visible_[index_of(Overlay::FlowColours)] = false;
  visible_[index_of(Overlay::Activation)] = false;
}

void PairView::set_figure(std::shared_ptr<const PairFigure> figure) {
  figure_ = std::move(figure);
  query_.reset();
  rebuild();
  fit();
}

void PairView::set_overlay_visible(Overlay overlay, bool visible) {
  visible_[index_of(overlay)] = visible;
  for (QGraphicsItemGroup* g : groups_[index_of(overlay)]) g->setVisible(visible);
}

bool PairView::overlay_visible(Overlay overlay) const {
  return visible_[index_of(overlay)];
}

void PairView::set_pair_layout(PairLayout layout) {
  layout_ = layout;
  rebuild();
  fit();
}

void PairView::set_evaluation(double alpha, double threshold) {
  alpha_ = alpha;
  threshold_ = threshold;
  rebuild();
}

void PairView::set_flow_opacity(double opacity) {
  flow_opacity_ = opacity;
  for (Overlay o : {Overlay::WarpedSource, Overlay::FlowColours}) {
    for (QGraphicsItem* item : items_[index_of(o)]) item->setOpacity(opacity);
  }
}

void PairView::set_line_filter(double min_fraction, int max_lines) {
  line_fraction_ = min_fraction;
  max_lines_ = max_lines;
  rebuild();
}

void PairView::show_query(const std::optional<QueryOverlay>& query) {
  query_ = query;
  rebuild_query();
}

QList<QGraphicsItem*> PairView::overlay_items(Overlay overlay) const {
  return items_[index_of(overlay)];
}

QRectF PairView::figure_rect() const {
  return scene()->itemsBoundingRect();
}

QPointF PairView::target_origin() const {
  return target_frame_ ? target_frame_->pos() : QPointF();
}

QRectF PairView::visible_figure_rect() const {
  const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
  const QRectF clipped = visible.intersected(figure_rect());
  return clipped.isEmpty() ? figure_rect() : clipped;
}

double PairView::marker_radius() const {
  if (!figure_) return 4;
  const QSize s = figure_->source_size.expandedTo(figure_->target_size);
  return std::max(2.5, std::hypot(s.width(), s.height()) / 110.0);
}

QGraphicsItemGroup* PairView::group(Overlay overlay, QGraphicsItem* parent) {
  auto* g = new QGraphicsItemGroup(parent);
  if (!parent) scene()->addItem(g);
  g->setVisible(visible_[index_of(overlay)]);
  groups_[index_of(overlay)].append(g);
  return g;
}

void PairView::rebuild() {
  scene()->clear();
  for (auto& g : groups_) g.clear();
  for (auto& i : items_) i.clear();
  source_frame_ = target_frame_ = nullptr;
  if (!figure_) return;
  const PairFigure& f = *figure_;
  const double r = marker_radius();
  add_frames(f);
  add_dense_flow(f);
  add_activation(f, r);
  add_hyperpixel_lines(f, r);
  add_match_lines(f, r);
  add_keypoints(f, r);
  add_transferred(f, r);
  add_comparison(f, r);
  scene()->setSceneRect(scene()->itemsBoundingRect());
  rebuild_query();
}

// One frame per image in original pixels; everything drawn on an image is a child of its frame.
void PairView::add_frames(const PairFigure& f) {
  const double gap = std::max(f.source_size.width(), f.target_size.width()) * 0.04;
  source_frame_ = scene()->addRect(QRectF(QPointF(0, 0), QSizeF(f.source_size)), Qt::NoPen);
  target_frame_ = scene()->addRect(QRectF(QPointF(0, 0), QSizeF(f.target_size)), Qt::NoPen);
  target_frame_->setPos(layout_ == PairLayout::SideBySide ? QPointF(f.source_size.width() + gap, 0)
                                                          : QPointF(0, f.source_size.height() + gap));
  stretched_pixmap(f.source_image, f.source_size, source_frame_);
  stretched_pixmap(f.target_image, f.target_size, target_frame_);
}

void PairView::add_dense_flow(const PairFigure& f) {
  auto* warped =
      stretched_pixmap(f.warped_source, f.target_size, group(Overlay::WarpedSource, target_frame_));
  warped->setOpacity(flow_opacity_);
  items_[index_of(Overlay::WarpedSource)].append(warped);
  auto* colours = stretched_pixmap(f.flow_colours, f.source_size, group(Overlay::FlowColours, source_frame_));
  colours->setOpacity(flow_opacity_);
  items_[index_of(Overlay::FlowColours)].append(colours);
}

// SCOT's CAM over each image and a dot per hyperpixel, its size and brightness its marginal weight.
void PairView::add_activation(const PairFigure& f, double r) {
  const auto draw = [&](const PairFigure::Activation& a, const QSize& size, QGraphicsRectItem* frame) {
    if (a.map.isNull()) return;
    QGraphicsItemGroup* g = group(Overlay::Activation, frame);
    stretched_pixmap(a.map, size, g)->setOpacity(0.75);
    for (size_t i = 0; i < a.centres.size(); ++i) {
      const double radius = r * 0.55 * a.weights[i];
      auto* dot = new QGraphicsEllipseItem(-radius, -radius, 2 * radius, 2 * radius, g);
      dot->setPos(a.centres[i]);
      const int grey = static_cast<int>(255 * std::clamp((a.weights[i] - 0.5f) / 0.5f, 0.0f, 1.0f));
      dot->setBrush(QColor(grey, grey, 255 - grey / 2, 220));
      dot->setPen(Qt::NoPen);
      dot->setData(kIndexRole, static_cast<int>(i));
      dot->setToolTip(tr("marginal weight %1").arg(a.weights[i]));
      items_[index_of(Overlay::Activation)].append(dot);
    }
  };
  draw(f.source_activation, f.source_size, source_frame_);
  draw(f.target_activation, f.target_size, target_frame_);
}

// Hyperpixel match lines, strongest first, in scene coordinates.
void PairView::add_hyperpixel_lines(const PairFigure& f, double r) {
  QGraphicsItemGroup* lines = group(Overlay::HyperpixelLines, nullptr);
  const float strongest = f.hyperpixel_lines.empty() ? 0.0f : f.hyperpixel_lines.front().confidence;
  for (size_t i = 0; i < f.hyperpixel_lines.size() && static_cast<int>(i) < max_lines_; ++i) {
    const HyperpixelLine& l = f.hyperpixel_lines[i];
    if (l.confidence < line_fraction_ * strongest) break;
    const float v = strongest > 0 ? l.confidence / strongest : 0.0f;
    auto* line = new QGraphicsLineItem(
        QLineF(source_frame_->mapToScene(l.source), target_frame_->mapToScene(l.target)), lines);
    QColor c = heat_colour(0.35f + 0.65f * v);
    c.setAlpha(170);
    line->setPen(cosmetic_pen(c, r * 0.25));
    line->setData(kIndexRole, static_cast<int>(i));
    items_[index_of(Overlay::HyperpixelLines)].append(line);
  }
}

// A line from each keypoint to where it transfers.
void PairView::add_match_lines(const PairFigure& f, double r) {
  QGraphicsItemGroup* lines = group(Overlay::MatchLines, nullptr);
  for (size_t i = 0; i < f.source_points.size() && i < f.transferred.size(); ++i) {
    if (!f.transferred[i]) continue;
    auto* line = new QGraphicsLineItem(
        QLineF(source_frame_->mapToScene(f.source_points[i]), target_frame_->mapToScene(*f.transferred[i])),
        lines);
    QColor c = keypoint_colour(f.point_ids[i]);
    c.setAlpha(190);
    line->setPen(cosmetic_pen(c, r * 0.35));
    line->setData(kIndexRole, static_cast<int>(i));
    items_[index_of(Overlay::MatchLines)].append(line);
  }
}

namespace {

// A dot in the keypoint's colour with its id beside it.
QGraphicsEllipseItem* numbered_marker(QGraphicsItem* parent, const QPointF& at, int index, int id, double r) {
  auto* dot = new QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r, parent);
  dot->setPos(at);
  dot->setBrush(keypoint_colour(id));
  dot->setPen(cosmetic_pen(Qt::white, r * 0.3));
  dot->setData(PairView::kIndexRole, index);
  auto* label = new QGraphicsSimpleTextItem(QString::number(id), dot);
  QFont font = label->font();
  font.setPixelSize(std::max(6, static_cast<int>(r * 2.2)));
  font.setBold(true);
  label->setFont(font);
  label->setBrush(Qt::white);
  label->setPen(cosmetic_pen(Qt::black, r * 0.12));
  label->setPos(r * 0.9, -r * 2.6);
  return dot;
}

}  // namespace

// Ground-truth keypoints (source points; target truth when known).
void PairView::add_keypoints(const PairFigure& f, double r) {
  QGraphicsItemGroup* on_source = group(Overlay::Keypoints, source_frame_);
  QGraphicsItemGroup* on_target = group(Overlay::Keypoints, target_frame_);
  for (size_t i = 0; i < f.source_points.size(); ++i) {
    items_[index_of(Overlay::Keypoints)].append(
        numbered_marker(on_source, f.source_points[i], static_cast<int>(i), f.point_ids[i], r));
  }
  for (size_t i = 0; i < f.target_truth.size(); ++i) {
    items_[index_of(Overlay::Keypoints)].append(
        numbered_marker(on_target, f.target_truth[i], static_cast<int>(i), f.point_ids[i], r));
  }
}

// Transferred keypoints: a square per prediction, green/red at alpha with the PCK radius around the truth.
void PairView::add_transferred(const PairFigure& f, double r) {
  QGraphicsItemGroup* on_target = group(Overlay::Transferred, target_frame_);
  QGraphicsItemGroup* on_source = group(Overlay::Transferred, source_frame_);
  const bool judge = f.has_truth() && threshold_ > 0;
  for (size_t i = 0; i < f.transferred.size(); ++i) {
    const QColor colour = judge ? (prediction_correct(f, i, alpha_, threshold_) ? kCorrect : kWrong)
                                : keypoint_colour(f.point_ids[i]);
    if (judge && i < f.target_truth.size()) {
      const double radius = alpha_ * threshold_;
      auto* circle = new QGraphicsEllipseItem(-radius, -radius, 2 * radius, 2 * radius, on_target);
      circle->setPos(f.target_truth[i]);
      QColor fill = colour;
      fill.setAlpha(40);
      circle->setBrush(fill);
      circle->setPen(cosmetic_pen(colour, r * 0.2, Qt::DashLine));
    }
    if (!f.transferred[i]) {
      // No hyperpixel covers this keypoint: mark it on the source with a cross.
      auto* cross = new QGraphicsSimpleTextItem(QStringLiteral("✕"), on_source);
      QFont font = cross->font();
      font.setPixelSize(static_cast<int>(r * 3));
      cross->setFont(font);
      cross->setBrush(kWrong);
      cross->setPos(f.source_points[i] - QPointF(r, r * 1.6));
      continue;
    }
    auto* square = new QGraphicsRectItem(-r, -r, 2 * r, 2 * r, on_target);
    square->setPos(*f.transferred[i]);
    square->setRotation(45);
    square->setBrush(colour);
    square->setPen(cosmetic_pen(Qt::black, r * 0.3));
    square->setData(kIndexRole, static_cast<int>(i));
    items_[index_of(Overlay::Transferred)].append(square);
  }
}

// The comparison method's prediction of each point as a ring, joined to this method's by a line: green where
// the two agree (within the PCK radius, or one grid cell without ground truth), orange where they do not.
void PairView::add_comparison(const PairFigure& f, double r) {
  if (f.comparison_transferred.empty()) return;
  QGraphicsItemGroup* g = group(Overlay::Comparison, target_frame_);
  const double radius = agreement_radius(f, alpha_, threshold_);
  for (size_t i = 0; i < f.comparison_transferred.size() && i < f.transferred.size(); ++i) {
    if (!f.comparison_transferred[i]) continue;
    const bool agree = methods_agree(f, i, radius);
    const QColor colour = agree ? kCorrect : QColor(255, 150, 0);
    if (f.transferred[i]) {
      auto* link = new QGraphicsLineItem(QLineF(*f.transferred[i], *f.comparison_transferred[i]), g);
      link->setPen(cosmetic_pen(colour, r * 0.25, Qt::DashLine));
    }
    auto* ring = new QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r, g);
    ring->setPos(*f.comparison_transferred[i]);
    ring->setPen(cosmetic_pen(colour, r * 0.35));
    ring->setData(kIndexRole, static_cast<int>(i));
    ring->setToolTip(
        agree ? tr("%1 agrees with this method on point %2").arg(f.comparison_method).arg(f.point_ids[i])
              : tr("%1 sends point %2 elsewhere").arg(f.comparison_method).arg(f.point_ids[i]));
    items_[index_of(Overlay::Comparison)].append(ring);
  }
}

void PairView::rebuild_query() {
  const int q = index_of(Overlay::Query);
  for (QGraphicsItemGroup* g : groups_[q]) delete g;
  groups_[q].clear();
  items_[q].clear();
  if (!query_ || !source_frame_) return;
  const double r = marker_radius();
  QGraphicsItemGroup* on_source = group(Overlay::Query, source_frame_);
  QGraphicsItemGroup* on_target = group(Overlay::Query, target_frame_);
  on_source->setZValue(10);
  on_target->setZValue(10);
  if (!query_->heatmap.isNull()) {
    auto* heat = new QGraphicsPixmapItem(QPixmap::fromImage(query_->heatmap), on_target);
    heat->setTransformationMode(Qt::FastTransformation);  // show the grid cells as they are
    heat->setPos(query_->heatmap_rect.topLeft());
    heat->setTransform(QTransform::fromScale(query_->heatmap_rect.width() / query_->heatmap.width(),
                                             query_->heatmap_rect.height() / query_->heatmap.height()));
    heat->setOpacity(0.8);
  }
  for (size_t i = 0; i < query_->source_boxes.size(); ++i) {
    auto* box = new QGraphicsRectItem(query_->source_boxes[i], on_source);
    box->setPen(cosmetic_pen(kSourceBox, r * 0.2));
    box->setData(kIndexRole, static_cast<int>(i));
    items_[q].append(box);
  }
  for (size_t i = 0; i < query_->target_boxes.size(); ++i) {
    auto* box = new QGraphicsRectItem(query_->target_boxes[i], on_target);
    box->setPen(cosmetic_pen(kTargetBox, r * 0.2));
    box->setData(kIndexRole, static_cast<int>(i));
    items_[q].append(box);
  }
  const auto crosshair = [&](QGraphicsItem* parent, const QPointF& at, const QColor& colour) {
    auto* ring = new QGraphicsEllipseItem(-1.6 * r, -1.6 * r, 3.2 * r, 3.2 * r, parent);
    ring->setPos(at);
    ring->setPen(cosmetic_pen(colour, r * 0.45));
    new QGraphicsLineItem(-2.6 * r, 0, 2.6 * r, 0, ring);
    new QGraphicsLineItem(0, -2.6 * r, 0, 2.6 * r, ring);
    for (QGraphicsItem* child : ring->childItems()) {
      static_cast<QGraphicsLineItem*>(child)->setPen(cosmetic_pen(colour, r * 0.25));
    }
    return ring;
  };
  crosshair(on_source, query_->source_point, Qt::white);
  if (query_->best_match) {
    QGraphicsItem* best = crosshair(on_target, *query_->best_match, QColor(0, 255, 160));
    best->setData(kIndexRole, -1);
    items_[q].append(best);
  }
}

void PairView::fit() {
  fit_mode_ = true;
  if (!scene()->items().isEmpty()) fitInView(figure_rect(), Qt::KeepAspectRatio);
}

void PairView::zoom_by(double factor) {
  fit_mode_ = false;
  scale(factor, factor);
}

void PairView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0) return;
  zoom_by(std::pow(1.2, steps));
  event->accept();
}

std::optional<QPointF> PairView::source_point_at(const QPoint& view_pos) const {
  if (!source_frame_) return std::nullopt;
  const QPointF p = source_frame_->mapFromScene(mapToScene(view_pos));
  if (!source_frame_->rect().contains(p)) return std::nullopt;
  return p;
}

void PairView::mouseMoveEvent(QMouseEvent* event) {
  QGraphicsView::mouseMoveEvent(event);
  if (event->buttons() != Qt::NoButton) return;  // panning
  if (const auto p = source_point_at(event->position().toPoint())) {
    Q_EMIT source_hovered(*p);
  } else {
    Q_EMIT left_source();
  }
}

void PairView::mousePressEvent(QMouseEvent* event) {
  press_pos_ = event->position().toPoint();
  QGraphicsView::mousePressEvent(event);
}

void PairView::mouseReleaseEvent(QMouseEvent* event) {
  QGraphicsView::mouseReleaseEvent(event);
  // A click (not a drag) pins the query at that point.
  if ((event->position().toPoint() - press_pos_).manhattanLength() <= 3) {
    if (const auto p = source_point_at(event->position().toPoint())) Q_EMIT source_clicked(*p);
  }
}

void PairView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  if (fit_mode_) fit();
}

}  // namespace hpf
