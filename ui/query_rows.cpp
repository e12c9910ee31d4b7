#include "ui/query_rows.h"

#include <QGridLayout>
#include <QLabel>
#include <QPainter>

namespace hpf {
namespace {

constexpr int kThumbnailHeight = 120;

// The target dimmed, with `heat` (covering `heat_rect`, original pixels) drawn over it, `height` px high.
QPixmap heat_thumbnail(const QImage& target, const QSize& target_size, const QImage& heat,
                       const QRectF& heat_rect, int height) {
  if (target.isNull() || target_size.isEmpty()) return {};
  const double scale = static_cast<double>(height) / target_size.height();
  QPixmap out(QSize(static_cast<int>(target_size.width() * scale), height));
  out.fill(Qt::black);
  QPainter painter(&out);
  painter.setRenderHint(QPainter::SmoothPixmapTransform);
  painter.setOpacity(0.45);
  painter.drawImage(QRectF(QPointF(0, 0), QSizeF(out.size())), target);
  painter.setOpacity(1.0);
  if (!heat.isNull()) {
    const QRectF where(heat_rect.topLeft() * scale, heat_rect.size() * scale);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);  // the grid cells as they are
    painter.drawImage(where, heat);
  }
  return out;
}

}  // namespace

QueryRows::QueryRows(QWidget* parent) : QWidget(parent) {
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(8, 0, 8, 4);
  grid->setHorizontalSpacing(10);
  grid->setVerticalSpacing(2);
  const QString tips[] = {
      tr("Cosine similarity max(0, cos) between the queried point's hyperpixels and every target hyperpixel "
         "(not rescaled)."),
      tr("The method's votes for the queried point before the Hough weighting: HPF's max(0, cos)^d, or "
         "SCOT's "
         "transport plan (rescaled, raised to its exponent)."),
      tr("Confidence: the votes times the smoothed Hough histogram at each translation (what the best match "
         "maximises)."),
  };
  for (int i = 0; i < 3; ++i) {
    images_[i] = new QLabel(this);
    images_[i]->setFixedHeight(kThumbnailHeight);
    images_[i]->setToolTip(tips[i]);
    captions_[i] = new QLabel(this);
    captions_[i]->setToolTip(tips[i]);
    grid->addWidget(images_[i], 0, i);
    grid->addWidget(captions_[i], 1, i);
  }
  grid->setColumnStretch(3, 1);
  show_query(std::nullopt);
}

void QueryRows::set_target(const QImage& target, const QSize& size) {
  target_ = target;
  target_size_ = size;
  show_query(std::nullopt);
}

void QueryRows::show_query(const std::optional<QueryOverlay>& query) {
  const bool shown = query && query->covered() && !target_.isNull();
  setVisible(shown);
  if (!shown) return;
  const QImage* heats[] = {&query->appearance_heatmap, &query->votes_heatmap, &query->heatmap};
  const QString names[] = {tr("cosine row (peak %1)").arg(query->appearance_peak, 0, 'f', 2),
                           query->votes_label, tr("confidence (× Hough)")};
  for (int i = 0; i < 3; ++i) {
    images_[i]->setPixmap(
        heat_thumbnail(target_, target_size_, *heats[i], query->heatmap_rect, kThumbnailHeight));
    captions_[i]->setText(names[i]);
  }
}

QString QueryRows::caption(int i) const {
  return captions_.at(i)->text();
}

}  // namespace hpf
