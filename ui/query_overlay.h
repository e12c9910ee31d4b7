#pragma once
// A point query prepared for drawing: the core's PointQuery in Qt types plus the heatmap as an image.

#include <QImage>
#include <QPointF>
#include <QRectF>

#include <optional>
#include <vector>

namespace hpf {

struct QueryOverlay {
  QPointF source_point;                            // original source pixels
  std::vector<qint64> covering;                    // source hyperpixel indices whose box holds the point
  std::vector<QRectF> source_boxes, target_boxes;  // original pixels of each image
  std::optional<QPointF> best_match;               // original target pixels
  std::vector<float> confidence;                   // grid_height x grid_width, row major, in [0, 1]
  qint64 grid_width = 0, grid_height = 0, target_jump = 0;
  QImage heatmap;       // grid-sized, colour-mapped, alpha grows with confidence
  QRectF heatmap_rect;  // where the heatmap goes, original target pixels (the rows below too)
  // What the confidence is made of (core's PointQuery::appearance and ::votes), same grid as the heatmap.
  QImage appearance_heatmap, votes_heatmap;  // each relative to its own peak
  float appearance_peak = 0;                 // the largest cosine of the row
  QString votes_label;                       // "cos^d row" (HPF) or "transport plan row" (SCOT)
  // Cosine similarity, per backbone layer (index = position in the layer list), between the source feature at
  // the point and the target feature at the best match; empty until the layer maps are computed.
  std::vector<float> layer_similarity;

  bool covered() const { return !covering.empty(); }
};

}  // namespace hpf
