#pragma once
// Colour helpers shared by the views and the figure builder.

#include <QColor>
#include <QImage>

#include <vector>

namespace hpf {

// A distinct colour per keypoint id (cycling through 20 hues in an order that keeps neighbours apart).
QColor keypoint_colour(int id);

// Perceptually ordered "inferno"-like map of v in [0, 1].
QColor heat_colour(float v);

// A width x height ARGB image of `values` (row major, [0, 1]) through heat_colour, with alpha rising with the
// value so that low confidence leaves the image visible.
QImage heatmap_image(const std::vector<float>& values, int width, int height);

// Colour of a displacement (dx, dy) relative to `max_length`: hue = direction, saturation = length.
QColor flow_colour(double dx, double dy, double max_length);

}  // namespace hpf
