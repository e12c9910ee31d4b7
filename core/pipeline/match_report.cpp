#include "core/pipeline/match_report.h"

#include "core/fileio/atomic_file.h"
#include "core/pipeline/match_options_json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace hpf {
namespace {

QJsonArray point_json(const Point2& p) {
  return QJsonArray{p.x, p.y};
}

QJsonObject options_json(const MatchReport& r) {
  QJsonObject o = match_options_json(r.options);
  o["backbone"] = QString::fromStdString(r.provenance.backbone);
  o["weights"] = QString::fromStdString(r.provenance.weights);
  o["device"] = QString::fromStdString(r.provenance.device);
  return o;
}

QJsonObject timings_json(const StageTimings& t) {
  QJsonObject o;
  o["backbone"] = t.backbone_ms;
  o["hyperpixels"] = t.hyperpixel_ms;
  o["similarity"] = t.rhm.similarity_ms;
  o["voting"] = t.rhm.voting_ms;
  o["smoothing"] = t.rhm.smoothing_ms;
  if (t.rhm.transport_ms > 0) o["transport"] = t.rhm.transport_ms;
  o["argmax"] = t.rhm.argmax_ms;
  o["transfer"] = t.transfer_ms;
  o["total"] = t.total_ms();
  return o;
}

cv::Scalar keypoint_colour(size_t index, size_t count) {
  cv::Mat hsv(1, 1, CV_8UC3,
              cv::Scalar(static_cast<int>(180.0 * index / std::max<size_t>(1, count)), 220, 255));
  cv::Mat rgb;
  cv::cvtColor(hsv, rgb, cv::COLOR_HSV2RGB);
  const cv::Vec3b c = rgb.at<cv::Vec3b>(0, 0);
  return cv::Scalar(c[0], c[1], c[2]);
}

}  // namespace

MatchReport make_match_report(const MatchedPair& pair, const MatchProvenance& provenance,
                              const MatchOptions& options, const std::vector<Point2>& source_points,
                              const std::vector<TransferredPoint>& transferred) {
  MatchReport r;
  r.provenance = provenance;
  r.options = options;
  r.source_points = source_points;
  r.transferred = transferred;
  r.source_width = pair.source.image.original_width;
  r.source_height = pair.source.image.original_height;
  r.target_width = pair.target.image.original_width;
  r.target_height = pair.target.image.original_height;
  r.source_ratio = pair.source_scale;
  r.target_ratio = pair.target_scale;
  r.source_hyperpixels = pair.source.hyperpixels.size();
  r.target_hyperpixels = pair.target.hyperpixels.size();
  r.timings = pair.timings;
  r.notice = pair.notice;
  return r;
}

std::string match_report_json(const MatchReport& r) {
  QJsonArray sources, transferred, transferred_resized, covering;
  int uncovered = 0;
  for (const Point2& p : r.source_points) sources.append(point_json(p));
  for (const TransferredPoint& t : r.transferred) {
    transferred.append(t.target ? QJsonValue(point_json(*t.target)) : QJsonValue(QJsonValue::Null));
    transferred_resized.append(t.target ? QJsonValue(point_json(t.target_resized))
                                        : QJsonValue(QJsonValue::Null));
    covering.append(static_cast<qint64>(t.covering));
    if (!t.target) ++uncovered;
  }
  QJsonObject root;
  root["source"] = QString::fromStdString(r.provenance.source_path);
  root["target"] = QString::fromStdString(r.provenance.target_path);
  root["source_size"] = QJsonArray{r.source_width, r.source_height};
  root["target_size"] = QJsonArray{r.target_width, r.target_height};
  root["resize_ratio"] = QJsonObject{{"source", r.source_ratio}, {"target", r.target_ratio}};
  root["hyperpixels"] = QJsonObject{{"source", static_cast<qint64>(r.source_hyperpixels)},
                                    {"target", static_cast<qint64>(r.target_hyperpixels)}};
  root["source_kps"] = sources;
  root["transferred_kps"] = transferred;
  root["transferred_kps_resized"] = transferred_resized;
  root["covering"] = covering;
  root["uncovered"] = uncovered;
  root["timings_ms"] = timings_json(r.timings);
  root["warnings"] = r.notice.empty() ? QJsonArray() : QJsonArray{QString::fromStdString(r.notice)};
  root["options"] = options_json(r);
  return QJsonDocument(root).toJson(QJsonDocument::Indented).toStdString();
}

std::string match_figure_png(const DecodedImage& source, const DecodedImage& target,
                             const MatchReport& report) {
  // Both images at the same display height; coordinates map from original pixels by a per-image factor.
  const cv::Mat src = tensor_to_mat(source.rgb), trg = tensor_to_mat(target.rgb);
  const int height = std::clamp(std::max(src.rows, trg.rows), 240, 720);
  const double fs = static_cast<double>(height) / src.rows, ft = static_cast<double>(height) / trg.rows;
  cv::Mat left, right;
  cv::resize(src, left, cv::Size(std::max(1, static_cast<int>(src.cols * fs)), height), 0, 0, cv::INTER_AREA);
  cv::resize(trg, right, cv::Size(std::max(1, static_cast<int>(trg.cols * ft)), height), 0, 0,
             cv::INTER_AREA);
  const int gap = 8;
  cv::Mat canvas(height, left.cols + gap + right.cols, CV_8UC3, cv::Scalar(255, 255, 255));
  left.copyTo(canvas(cv::Rect(0, 0, left.cols, height)));
  right.copyTo(canvas(cv::Rect(left.cols + gap, 0, right.cols, height)));

  // Original pixels -> display pixels, including the decode reduction of huge images.
  const double src_factor = fs * source.scale, trg_factor = ft * target.scale;
  const int radius = std::max(3, height / 120);
  const size_t count = report.source_points.size();
  for (size_t i = 0; i < count; ++i) {
    const cv::Scalar colour = keypoint_colour(i, count);
    const cv::Point a(cvRound(report.source_points[i].x * src_factor),
                      cvRound(report.source_points[i].y * src_factor));
    if (i >= report.transferred.size() || !report.transferred[i].target) {
      cv::drawMarker(canvas, a, colour, cv::MARKER_TILTED_CROSS, radius * 3, 2, cv::LINE_AA);
      continue;
    }
    const Point2& t = *report.transferred[i].target;
    const cv::Point b(left.cols + gap + cvRound(t.x * trg_factor), cvRound(t.y * trg_factor));
    cv::line(canvas, a, b, colour, 1, cv::LINE_AA);
    cv::circle(canvas, a, radius, colour, cv::FILLED, cv::LINE_AA);
    cv::circle(canvas, b, radius, colour, cv::FILLED, cv::LINE_AA);
    cv::circle(canvas, b, radius, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  cv::Mat bgr;
  cv::cvtColor(canvas, bgr, cv::COLOR_RGB2BGR);
  std::vector<uchar> png;
  cv::imencode(".png", bgr, png);
  return std::string(png.begin(), png.end());
}

void write_match_outputs(const std::string& dir, const DecodedImage& source, const DecodedImage& target,
                         const MatchReport& report) {
  ensure_directory(dir);
  write_file_atomically(dir + "/matches.json", match_report_json(report));
  write_file_atomically(dir + "/matches.png", match_figure_png(source, target, report));
}

}  // namespace hpf
