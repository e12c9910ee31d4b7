#pragma once
// One image pair through Hyperpixel Flow, in original-image coordinates: the unit of work shared by `hpf match`,
// the evaluation, and the GUI's pair view.

#include "core/compute/matcher.h"
#include "core/compute/transfer.h"
#include "core/image/image_io.h"

#include <optional>
#include <string>
#include <vector>

namespace hpf {

struct Point2 {
  double x = 0, y = 0;
};

// Everything computed for a pair, kept so that keypoints, point queries and the dense flow need no recomputation.
struct MatchedPair {
  ImageFeatures source;
  ImageFeatures target;
  PairMatch match;
  StageTimings timings;
  float source_scale = 1.0f;  // original source pixels -> resized frame (decode reduction x preprocessing ratio)
  float target_scale = 1.0f;
  std::string notice;         // something the user should know about how the pair ran (e.g. a GPU fallback)
};

// Preprocesses one decoded image with the flow's options and extracts its hyperpixels.
ImageFeatures describe_image(const HyperpixelFlow& flow, const DecodedImage& image, StageTimings* timings = nullptr);

// Matches two described images.
MatchedPair match_described(const HyperpixelFlow& flow, ImageFeatures source, ImageFeatures target,
                            float source_decode_scale = 1.0f, float target_decode_scale = 1.0f);

// Describe both images, then match. Checks the memory budget first (MemoryBudgetExceeded); if a CUDA backbone
// runs out of GPU memory, moves it to the CPU, finishes there and says so in MatchedPair::notice.
MatchedPair match_images(const HyperpixelFlow& flow, const DecodedImage& source, const DecodedImage& target);

struct TransferredPoint {
  std::optional<Point2> target;  // original target pixels; empty when no source hyperpixel covers the keypoint
  Point2 target_resized;         // resized target frame (NaN when uncovered), what PCK is computed on
  int64_t covering = 0;          // number of source hyperpixels whose box contains the keypoint
};

// Transfers keypoints given in original source pixels. Keypoints are scaled in float32 exactly as the reference
// scales them; `elapsed_ms` (optional) accumulates the time spent. Throws std::invalid_argument for a NaN/infinite coordinate or one outside the image.
std::vector<TransferredPoint> transfer_points(const MatchedPair& pair, const std::vector<Point2>& source_points,
                                              double* elapsed_ms = nullptr);

// The source keypoints in the resized frame, as float32 (K, 2) -- shared by transfer and evaluation.
at::Tensor scale_points(const std::vector<Point2>& points, float scale);

// A regular grid of `per_side` x `per_side` points inside the source image (original pixels), for `hpf match`
// without keypoints.
std::vector<Point2> grid_points(int width, int height, int per_side);

}  // namespace hpf
