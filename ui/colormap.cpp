#include "ui/colormap.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace hpf {

QColor keypoint_colour(int id) {
  // Golden-angle hue steps keep consecutive ids far apart on the colour wheel.
  const int hue = static_cast<int>(std::fmod(std::abs(id) * 137.508, 360.0));
  return QColor::fromHsv(hue, 230, 255);
}

QColor heat_colour(float v) {
  // Control points of matplotlib's "inferno", linearly interpolated.
  static const std::array<std::array<float, 3>, 6> stops{{{0.0f, 0.0f, 4.0f},
                                                          {40.0f, 11.0f, 84.0f},
                                                          {101.0f, 21.0f, 110.0f},
                                                          {159.0f, 42.0f, 99.0f},
                                                          {237.0f, 105.0f, 37.0f},
                                                          {252.0f, 255.0f, 164.0f}}};
  const float t = std::clamp(v, 0.0f, 1.0f) * static_cast<float>(stops.size() - 1);
  const int i = std::min(static_cast<int>(t), static_cast<int>(stops.size()) - 2);
  const float f = t - static_cast<float>(i);
  const auto mix = [&](int c) { return static_cast<int>(stops[i][c] * (1 - f) + stops[i + 1][c] * f); };
  return QColor(mix(0), mix(1), mix(2));
}

QImage heatmap_image(const std::vector<float>& values, int width, int height) {
  QImage image(width, height, QImage::Format_ARGB32);
  image.fill(Qt::transparent);
  if (static_cast<int>(values.size()) != width * height) return image;
  for (int y = 0; y < height; ++y) {
    auto* row = reinterpret_cast<QRgb*>(image.scanLine(y));
    for (int x = 0; x < width; ++x) {
      const float v = values[static_cast<size_t>(y) * width + x];
      const QColor c = heat_colour(v);
      row[x] = qRgba(c.red(), c.green(), c.blue(),
                     static_cast<int>(230 * std::pow(std::clamp(v, 0.0f, 1.0f), 0.6f)));
    }
  }
  return image;
}

QColor flow_colour(double dx, double dy, double max_length) {
  const double length = std::hypot(dx, dy);
  double hue = std::atan2(dy, dx) * 180.0 / M_PI;
  if (hue < 0) hue += 360.0;
  const double saturation = max_length > 0 ? std::min(1.0, length / max_length) : 0.0;
  return QColor::fromHsvF(static_cast<float>(hue / 360.0), static_cast<float>(saturation), 1.0f);
}

}  // namespace hpf
