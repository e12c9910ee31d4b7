#include "core/pipeline/pair_matching.h"

#include "core/compute/runtime.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hpf {

ImageFeatures describe_image(const HyperpixelFlow& flow, const DecodedImage& image, StageTimings* timings) {
  try {
    PreparedImage prepared = prepare_for_matching(image.rgb, flow.options());
    // The tensor may be a decode-time reduction of a huge image: keep the true original size for bounds
    // checks and reports (the ratio stays relative to the tensor; MatchedPair's scales combine both).
    prepared.original_width = image.original_width;
    prepared.original_height = image.original_height;
    return flow.describe(prepared, timings);
  } catch (const OptionError&) {
    throw;
  } catch (const std::invalid_argument& e) {  // an image that is too small or too elongated: say which one
    if (image.name.empty()) throw;
    throw std::invalid_argument(image.name + " (" + std::to_string(image.original_width) + "x" +
                                std::to_string(image.original_height) + "): " + e.what());
  }
}

std::shared_ptr<DescribedImage> describe_decoded(const HyperpixelFlow& flow, const DecodedImage& image,
                                                 StageTimings* timings) {
  auto described = std::make_shared<DescribedImage>();
  described->features = describe_image(flow, image, timings);
  described->decode_scale = image.scale;
  described->warnings = image.warnings;
  return described;
}

std::shared_ptr<const DescribedImage> DecodedPairImage::describe(const HyperpixelFlow& flow,
                                                                 StageTimings* timings) {
  return describe_decoded(flow, image_, timings);
}

std::optional<std::pair<int, int>> DecodedPairImage::resized_size(const MatchOptions& options) const {
  return hpf::resized_size(static_cast<int>(image_.rgb.size(1)), static_cast<int>(image_.rgb.size(0)),
                           options);
}

namespace {

constexpr int64_t kPairStages = 3;

// One attempt at the pair on the flow's current device.
MatchedPair match_pair_on_device(const HyperpixelFlow& flow, PairImage& source, PairImage& target,
                                 const JobContext& context) {
  const auto source_size = source.resized_size(flow.options());
  const auto target_size = target.resized_size(flow.options());
  if (source_size && target_size) {
    flow.check_memory(source_size->first, source_size->second, target_size->first, target_size->second);
  }
  MatchedPair pair;
  context.check_cancelled();
  context.report(0, kPairStages, "source hyperpixels");
  const std::shared_ptr<const DescribedImage> src = source.describe(flow, &pair.timings);
  context.check_cancelled();
  context.report(1, kPairStages, "target hyperpixels");
  const std::shared_ptr<const DescribedImage> trg = target.describe(flow, &pair.timings);
  context.check_cancelled();
  context.report(2, kPairStages, "matching (" + flow.options().method + ")");
  pair.source = src->features;
  pair.target = trg->features;
  pair.source_scale = src->decode_scale * pair.source.image.ratio;
  pair.target_scale = trg->decode_scale * pair.target.image.ratio;
  pair.match = flow.match(pair.source, pair.target, &pair.timings);
  std::vector<std::string> notes = src->warnings;
  notes.insert(notes.end(), trg->warnings.begin(), trg->warnings.end());
  if (!pair.match.notice.empty()) notes.push_back(pair.match.notice);
  for (const std::string& note : notes) pair.notice += (pair.notice.empty() ? "" : "; ") + note;
  context.report(kPairStages, kPairStages, "matched");
  return pair;
}

bool gpu_ran_out_of_memory(const HyperpixelFlow& flow, const c10::Error& error) {
  return flow.backbone().device().is_cuda() && is_cuda_out_of_memory(error);
}

}  // namespace

MatchedPair match_pair(const HyperpixelFlow& flow, PairImage& source, PairImage& target,
                       const JobContext& context) {
  try {
    return match_pair_on_device(flow, source, target, context);
  } catch (const c10::Error& error) {
    if (!gpu_ran_out_of_memory(flow, error)) throw;
  }
  // The GPU ran out of memory: finish on the CPU (the backbone stays there for the following pairs).
  flow.backbone().to(c10::Device(c10::kCPU));
  source.forget();
  target.forget();
  MatchedPair pair = match_pair_on_device(flow, source, target, context);
  const std::string fallback = "the GPU ran out of memory: this pair (and the following ones) ran on the CPU";
  pair.notice = pair.notice.empty() ? fallback : fallback + "; " + pair.notice;
  return pair;
}

MatchedPair match_images(const HyperpixelFlow& flow, const DecodedImage& source, const DecodedImage& target) {
  DecodedPairImage src(source), trg(target);
  return match_pair(flow, src, trg);
}

at::Tensor scale_points(const std::vector<Point2>& points, float scale) {
  at::Tensor out = at::empty({static_cast<int64_t>(points.size()), 2}, at::TensorOptions().dtype(at::kFloat));
  auto a = out.accessor<float, 2>();
  for (size_t i = 0; i < points.size(); ++i) {
    // float32 keypoints times a float32 ratio, as the reference does.
    a[i][0] = static_cast<float>(points[i].x) * scale;
    a[i][1] = static_cast<float>(points[i].y) * scale;
  }
  return out;
}

std::vector<TransferredPoint> transfer_points(const MatchedPair& pair,
                                              const std::vector<Point2>& source_points, double* elapsed_ms) {
  const PreparedImage& src = pair.source.image;
  for (size_t i = 0; i < source_points.size(); ++i) {
    const Point2& p = source_points[i];
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
      throw std::invalid_argument("keypoint " + std::to_string(i) + " is not a finite number");
    }
    if (p.x < 0 || p.y < 0 || p.x > src.original_width || p.y > src.original_height) {
      throw std::invalid_argument("keypoint " + std::to_string(i) + " (" + std::to_string(p.x) + ", " +
                                  std::to_string(p.y) + ") lies outside the " +
                                  std::to_string(src.original_width) + "x" +
                                  std::to_string(src.original_height) + " source image");
    }
  }
  std::vector<TransferredPoint> out(source_points.size());
  if (source_points.empty()) return out;
  const auto start = std::chrono::steady_clock::now();
  const TransferredKeypoints t =
      transfer_keypoints(pair.source.hyperpixels.boxes, pair.target.hyperpixels.boxes,
                         pair.match.best.target_index, scale_points(source_points, pair.source_scale));
  auto points = t.points.accessor<float, 2>();
  auto covering = t.covering.accessor<int64_t, 1>();
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].covering = covering[i];
    out[i].target_resized = {points[i][0], points[i][1]};
    if (covering[i] > 0) {
      // Back to original target pixels: resized / ratio, as the reference reports pred_kps_original.
      out[i].target = Point2{points[i][0] / pair.target_scale, points[i][1] / pair.target_scale};
    }
  }
  if (elapsed_ms) {
    *elapsed_ms +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  return out;
}

std::vector<Point2> grid_points(int width, int height, int per_side) {
  std::vector<Point2> points;
  for (int j = 0; j < per_side; ++j) {
    for (int i = 0; i < per_side; ++i) {
      points.push_back({(i + 0.5) * width / per_side, (j + 0.5) * height / per_side});
    }
  }
  return points;
}

}  // namespace hpf
