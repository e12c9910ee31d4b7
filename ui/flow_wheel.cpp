#include "ui/flow_wheel.h"

#include "ui/colormap.h"

#include <QPainter>

#include <cmath>

namespace hpf {

FlowWheel::FlowWheel(QWidget* parent) : QWidget(parent) {
  constexpr int kSide = 96;
  wheel_ = QImage(kSide, kSide, QImage::Format_ARGB32);
  wheel_.fill(Qt::transparent);
  const double c = (kSide - 1) / 2.0;
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      const double dx = x - c, dy = y - c;
      if (std::hypot(dx, dy) <= c) wheel_.setPixel(x, y, flow_colour(dx, dy, c).rgba());
    }
  }
  setMinimumSize(sizeHint());
  set_max_flow(0);
}

void FlowWheel::set_max_flow(double pixels) {
  setToolTip(tr("Flow colours: hue is the direction a source pixel moves, saturation its length (white: "
                "still; full colour: %1 px).")
                 .arg(pixels, 0, 'f', 0));
}

void FlowWheel::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::SmoothPixmapTransform);
  const int side = std::min(width(), height());
  p.drawImage(QRect((width() - side) / 2, (height() - side) / 2, side, side), wheel_);
}

}  // namespace hpf
