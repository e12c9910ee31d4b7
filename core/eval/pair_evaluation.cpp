#include "core/eval/pair_evaluation.h"

#include "core/eval/pck.h"

#include "core/compute/transfer.h"

#include <ATen/ATen.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace hpf {
namespace {

cv::Mat polygon_mask(const std::vector<Point2>& polygon, int width, int height) {
  cv::Mat mask = cv::Mat::zeros(height, width, CV_8U);
  std::vector<cv::Point> vertices;
  constexpr int kShift = 8;  // sub-pixel precision of the vertices
  for (const Point2& p : polygon) {
    if (std::isfinite(p.x) && std::isfinite(p.y)) {
      vertices.emplace_back(cvRound(p.x * (1 << kShift)), cvRound(p.y * (1 << kShift)));
    }
  }
  if (vertices.size() >= 3)
    cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{vertices}, 1, cv::LINE_8, kShift);
  return mask;
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

// Annotated keypoints beyond their image: slightly (annotation tools clip loosely) a warning kept with the
// pair; further, an error -- such a point transfers from nowhere or inflates a keypoint-extent PCK threshold
// until the pair scores almost perfectly.
void check_keypoints_in_image(const std::vector<Keypoint>& points, const char* which,
                              const std::string& image, int width, int height, PairRecord& record) {
  const double margin = kKeypointMargin * std::max(width, height);
  for (size_t k = 0; k < points.size(); ++k) {
    const double x = points[k].x, y = points[k].y;
    const double beyond = std::max({-x, -y, x - width, y - height});
    if (beyond <= 0) continue;
    const std::string what = std::string(which) + " keypoint " + std::to_string(k) + " (" + number(x) + ", " +
                             number(y) + ") lies " + number(beyond) + " px outside the " +
                             std::to_string(width) + "x" + std::to_string(height) + " image " + image;
    if (beyond > margin) {
      throw std::invalid_argument(what + "; annotations may lie at most " + number(margin) +
                                  " px (5% of the longer side) outside their image");
    }
    record.warnings.push_back(what);
  }
}

}  // namespace

std::pair<double, double> mask_agreement(const std::vector<Point2>& predicted,
                                         const std::vector<Point2>& truth, int width, int height) {
  const cv::Mat a = polygon_mask(predicted, width, height), b = polygon_mask(truth, width, height);
  const double agree = static_cast<double>(cv::countNonZero(a == b)) / (static_cast<double>(width) * height);
  const int intersection = cv::countNonZero(a & b), union_area = cv::countNonZero(a | b);
  const double iou = union_area > 0 ? static_cast<double>(intersection) / union_area : 0.0;
  return {agree, iou};
}

void score_pair(const MatchedPair& matched, const PairAnnotation& pair, AnnotationKind kind,
                ThresholdKind threshold, const std::vector<std::string>& alphas, PairRecord& record) {
  if (kind == AnnotationKind::Keypoints) {
    check_keypoints_in_image(pair.source_kps, "source", pair.source_image,
                             matched.source.image.original_width, matched.source.image.original_height,
                             record);
    check_keypoints_in_image(pair.target_kps, "target", pair.target_image,
                             matched.target.image.original_width, matched.target.image.original_height,
                             record);
  }
  const at::Tensor src_kps = scale_points(as_points(pair.source_kps), matched.source_scale);
  const TransferredKeypoints t =
      transfer_keypoints(matched.source.hyperpixels.boxes, matched.target.hyperpixels.boxes,
                         matched.match.best.target_index, src_kps);
  const float ratio = matched.target_scale;
  record.ratio = ratio;
  const auto pred = t.points.accessor<float, 2>();
  std::vector<Point2> predicted_resized;
  for (int64_t k = 0; k < t.points.size(0); ++k) {
    predicted_resized.push_back({pred[k][0], pred[k][1]});
    if (std::isnan(pred[k][0])) {
      record.pred_kps.emplace_back(std::nullopt);
    } else {
      record.pred_kps.emplace_back(
          std::make_pair(static_cast<double>(pred[k][0] / ratio), static_cast<double>(pred[k][1] / ratio)));
    }
  }
  for (const Keypoint& g : pair.target_kps) record.gt_kps.emplace_back(g.x, g.y);

  if (kind == AnnotationKind::Polygon) {
    const at::Tensor gt = scale_points(as_points(pair.target_kps), ratio);
    std::vector<Point2> truth;
    for (int64_t k = 0; k < gt.size(0); ++k)
      truth.push_back({gt[k][0].item<float>(), gt[k][1].item<float>()});
    const auto [lt_acc, iou] =
        mask_agreement(predicted_resized, truth, matched.target.image.width(), matched.target.image.height());
    record.lt_acc = lt_acc;
    record.iou = iou;
    return;
  }

  score_keypoints(t.points, pair, threshold, ratio, matched.target.image.original_width,
                  matched.target.image.original_height, alphas, record);
}

}  // namespace hpf
