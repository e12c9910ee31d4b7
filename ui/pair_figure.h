#pragma once
// What the pair view draws, as plain Qt values computed on the worker thread from a matched pair. Coordinates
// are ORIGINAL image pixels of the respective image, so overlays line up with the files the user opened.

#include <QImage>
#include <QPointF>
#include <QSize>
#include <QString>

#include <optional>
#include <vector>

namespace hpf {

struct HyperpixelLine {
  QPointF source, target;  // box centres, original pixels
  float confidence = 0;    // RHM confidence of the best match
};

struct PairFigure {
  QString source_label, target_label;
  QImage source_image, target_image;  // as decoded (very large files are reduced; see *_size)
  QSize source_size, target_size;     // original pixels

  // Points transferred from the source: ground-truth source keypoints of a dataset pair, else a regular grid.
  std::vector<QPointF> source_points;
  std::vector<int> point_ids;                       // colour / label per point (keypoint ids)
  std::vector<std::optional<QPointF>> transferred;  // empty where no source hyperpixel covers the point
  std::vector<QPointF> target_truth;                // ground-truth target keypoints; empty when unknown
  // PCK thresholds T in original target pixels (0 when the pair cannot give one).
  double threshold_image = 0, threshold_bbox = 0;

  std::vector<HyperpixelLine> hyperpixel_lines;  // one per source hyperpixel, strongest first

  // Dense flow: the source warped onto the target frame (transparent where nothing lands) and the flow
  // colour-coded over the source (hue = direction, saturation = length / max_flow). Both at the resized
  // frame's resolution; drawn stretched over the original image.
  QImage warped_source, flow_colours;
  double max_flow = 0;  // original source pixels

  // SCOT's class activation marginals (docs/method.md §10.2), empty unless the method used them: each image's
  // CAM over its resized frame (colour-mapped; drawn stretched), and each hyperpixel's box centre (original
  // pixels) with its marginal weight (0.5, 0.8, 0.9 or 1.0).
  struct Activation {
    QImage map;
    std::vector<QPointF> centres;
    std::vector<float> weights;
  };
  Activation source_activation, target_activation;

  // With SCOT: where HPF (same backbone, layers and Hough options) sends the same points, so that the view
  // can show where the two methods agree. Empty otherwise.
  QString comparison_method;
  std::vector<std::optional<QPointF>> comparison_transferred;
  double target_cell = 0;  // one target base-grid cell, original pixels (the agreement radius without truth)

  qint64 source_hyperpixels = 0, target_hyperpixels = 0;
  double compute_ms = 0;

  bool has_truth() const { return !target_truth.empty(); }
};

// Whether prediction `i` lies within alpha * threshold of its ground truth (false when not transferred).
bool prediction_correct(const PairFigure& figure, size_t i, double alpha, double threshold);

// Whether the two methods send point `i` to within `radius` original pixels of each other (both must have
// transferred it).
bool methods_agree(const PairFigure& figure, size_t i, double radius);

// The radius within which two predictions agree: alpha * threshold when the pair has ground truth (the PCK
// radius), else one target base-grid cell.
double agreement_radius(const PairFigure& figure, double alpha, double threshold);

}  // namespace hpf
