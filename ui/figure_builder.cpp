#include "ui/figure_builder.h"

#include "ui/colormap.h"

#include <ATen/ATen.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace hpf {

QImage rgb_tensor_to_image(const at::Tensor& rgb) {
  const at::Tensor t = rgb.to(at::kCPU).contiguous();
  const int h = static_cast<int>(t.size(0)), w = static_cast<int>(t.size(1));
  QImage image(w, h, QImage::Format_RGB888);
  const uint8_t* data = t.data_ptr<uint8_t>();
  for (int y = 0; y < h; ++y) std::copy_n(data + static_cast<size_t>(y) * w * 3, w * 3, image.scanLine(y));
  return image;
}

namespace {

std::vector<HyperpixelLine> hyperpixel_lines(const MatchedPair& pair) {
  const at::Tensor src = pair.source.hyperpixels.centers.to(at::kCPU, at::kFloat).contiguous();
  const at::Tensor trg = pair.target.hyperpixels.centers.to(at::kCPU, at::kFloat).contiguous();
  const at::Tensor best = pair.match.best.target_index.to(at::kCPU).contiguous();
  const at::Tensor conf = pair.match.best.confidence.to(at::kCPU, at::kFloat).contiguous();
  auto s = src.accessor<float, 2>();
  auto t = trg.accessor<float, 2>();
  auto b = best.accessor<int64_t, 1>();
  auto c = conf.accessor<float, 1>();
  std::vector<HyperpixelLine> lines(static_cast<size_t>(src.size(0)));
  for (int64_t i = 0; i < src.size(0); ++i) {
    lines[i].source = QPointF(s[i][0] / pair.source_scale, s[i][1] / pair.source_scale);
    lines[i].target = QPointF(t[b[i]][0] / pair.target_scale, t[b[i]][1] / pair.target_scale);
    lines[i].confidence = c[i];
  }
  std::stable_sort(lines.begin(), lines.end(), [](const HyperpixelLine& a, const HyperpixelLine& b) {
    return a.confidence > b.confidence;
  });
  return lines;
}

PairFigure::Activation activation(const ImageFeatures& image, float scale) {
  PairFigure::Activation a;
  if (!image.class_activation.defined()) return a;
  const at::Tensor cam = image.class_activation.to(at::kCPU, at::kFloat).contiguous();
  a.map = heatmap_image(std::vector<float>(cam.data_ptr<float>(), cam.data_ptr<float>() + cam.numel()),
                        static_cast<int>(cam.size(1)), static_cast<int>(cam.size(0)));
  const at::Tensor centres = image.hyperpixels.centers.to(at::kCPU, at::kFloat).contiguous();
  const at::Tensor weights = image.hyperpixels.weights.to(at::kCPU, at::kFloat).contiguous();
  auto c = centres.accessor<float, 2>();
  auto w = weights.accessor<float, 1>();
  for (int64_t i = 0; i < centres.size(0); ++i) {
    a.centres.emplace_back(c[i][0] / scale, c[i][1] / scale);
    a.weights.push_back(w[i]);
  }
  return a;
}

double threshold_or_zero(const PairAnnotation& a, ThresholdKind kind, const QSize& target) {
  try {
    return pck_threshold(a, kind, target.width(), target.height());
  } catch (const std::exception&) {
    return 0;  // e.g. no bounding box: that threshold kind is unavailable for this pair
  }
}

}  // namespace

PairFigure build_figure(const FigureInputs& in) {
  PairFigure f;
  f.source_image = rgb_tensor_to_image(in.source->rgb);
  f.target_image = rgb_tensor_to_image(in.target->rgb);
  f.source_size = QSize(in.source->original_width, in.source->original_height);
  f.target_size = QSize(in.target->original_width, in.target->original_height);
  for (const Point2& p : in.points) f.source_points.emplace_back(p.x, p.y);
  f.point_ids = in.point_ids;
  for (const TransferredPoint& t : in.transferred) {
    f.transferred.push_back(t.target ? std::optional<QPointF>(QPointF(t.target->x, t.target->y))
                                     : std::nullopt);
  }
  if (in.annotation) {
    for (const Keypoint& k : in.annotation->target_kps) f.target_truth.emplace_back(k.x, k.y);
    f.threshold_image = threshold_or_zero(*in.annotation, ThresholdKind::Image, f.target_size);
    f.threshold_bbox = in.annotation->has_bbox
                           ? threshold_or_zero(*in.annotation, ThresholdKind::BoundingBox, f.target_size)
                           : 0;
  }
  f.hyperpixel_lines = hyperpixel_lines(*in.pair);
  f.comparison_method = QString::fromStdString(in.comparison_method);
  for (const TransferredPoint& t : in.comparison_transferred) {
    f.comparison_transferred.push_back(t.target ? std::optional<QPointF>(QPointF(t.target->x, t.target->y))
                                                : std::nullopt);
  }
  f.target_cell =
      static_cast<double>(in.pair->target.hyperpixels.layers.front().jump) / in.pair->target_scale;
  f.source_activation = activation(in.pair->source, in.pair->source_scale);
  f.target_activation = activation(in.pair->target, in.pair->target_scale);
  f.source_hyperpixels = in.pair->source.hyperpixels.size();
  f.target_hyperpixels = in.pair->target.hyperpixels.size();
  f.compute_ms = in.pair->timings.total_ms();
  add_dense_flow(*in.pair, *in.source, f);
  return f;
}

void add_dense_flow(const MatchedPair& pair, const DecodedImage& source, PairFigure& f) {
  const int w = pair.source.image.width(), h = pair.source.image.height();
  const int tw = pair.target.image.width(), th = pair.target.image.height();
  const DenseFlow flow = dense_flow(pair.source.hyperpixels.boxes, pair.target.hyperpixels.boxes,
                                    pair.match.best.target_index, w, h);
  const at::Tensor d = flow.displacement.to(at::kCPU, at::kFloat).contiguous();
  const at::Tensor valid = flow.valid.to(at::kCPU).contiguous();
  auto dx = d.accessor<float, 3>();
  auto ok = valid.accessor<bool, 2>();

  // The source at the matcher's resolution, so that one flow vector moves one pixel.
  cv::Mat small;
  cv::resize(tensor_to_mat(source.rgb), small, cv::Size(w, h), 0, 0, cv::INTER_AREA);

  double max_length = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (ok[y][x]) max_length = std::max<double>(max_length, std::hypot(dx[0][y][x], dx[1][y][x]));
    }
  }
  f.max_flow = max_length / pair.source_scale;

  // Forward warp (splatting): every source pixel is painted where the flow sends it. Hyperpixel flow is close
  // to piecewise constant, so a 2x2 footprint closes the cracks between neighbouring regions.
  QImage warped(tw, th, QImage::Format_ARGB32);
  warped.fill(Qt::transparent);
  QImage colours(w, h, QImage::Format_ARGB32);
  colours.fill(Qt::transparent);
  for (int y = 0; y < h; ++y) {
    const cv::Vec3b* row = small.ptr<cv::Vec3b>(y);
    auto* colour_row = reinterpret_cast<QRgb*>(colours.scanLine(y));
    for (int x = 0; x < w; ++x) {
      if (!ok[y][x]) continue;
      const float ddx = dx[0][y][x], ddy = dx[1][y][x];
      colour_row[x] = flow_colour(ddx, ddy, max_length).rgba();
      const int tx = static_cast<int>(std::floor(x + ddx)), ty = static_cast<int>(std::floor(y + ddy));
      const QRgb rgb = qRgb(row[x][0], row[x][1], row[x][2]);
      for (int oy = 0; oy < 2; ++oy) {
        for (int ox = 0; ox < 2; ++ox) {
          const int px = tx + ox, py = ty + oy;
          if (px >= 0 && py >= 0 && px < tw && py < th)
            reinterpret_cast<QRgb*>(warped.scanLine(py))[px] = rgb;
        }
      }
    }
  }
  f.warped_source = warped;
  f.flow_colours = colours;
}

}  // namespace hpf
