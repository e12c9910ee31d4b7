#pragma once
// One image pair through Hyperpixel Flow, in original-image coordinates: the one pair job of `hpf match`,
// `hpf eval`, `hpf bench` and the GUI's pair view (match_pair), and keypoint transfer on its result.

#include "core/compute/hyperpixel_flow.h"
#include "core/compute/transfer.h"
#include "core/image/image_io.h"
#include "core/pipeline/job.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hpf {

struct Point2 {
  double x = 0, y = 0;
};

// Everything computed for a pair, kept so that keypoints, point queries and the dense flow need no
// recomputation.
struct MatchedPair {
  ImageFeatures source;
  ImageFeatures target;
  PairMatch match;
  StageTimings timings;
  float source_scale =
      1.0f;  // original source pixels -> resized frame (decode reduction x preprocessing ratio)
  float target_scale = 1.0f;
  // Something the user should know about how the pair ran: a GPU fallback, an image the decoder repaired or
  // reduced, an EXIF orientation left unapplied, SCOT's doubled epsilon ("; "-separated).
  std::string notice;
};

// An image's hyperpixels and the decode-time reduction of its pixels (original pixels -> decoded tensor).
struct DescribedImage {
  ImageFeatures features;
  float decode_scale = 1.0f;
  std::vector<std::string> warnings;  // the decoder's (DecodedImage::warnings)
};

// Preprocesses one decoded image with the flow's options and extracts its hyperpixels.
ImageFeatures describe_image(const HyperpixelFlow& flow, const DecodedImage& image,
                             StageTimings* timings = nullptr);

// The same, with what the pair job keeps beside the features (decode scale, warnings).
std::shared_ptr<DescribedImage> describe_decoded(const HyperpixelFlow& flow, const DecodedImage& image,
                                                 StageTimings* timings = nullptr);

// One image of a pair as the pair job sees it: something that yields its hyperpixels for a flow. The
// evaluation implements it over its per-image feature cache; DecodedPairImage describes a decoded image
// directly.
class PairImage {
 public:
  virtual ~PairImage() = default;
  // The image's hyperpixels under `flow` (on the flow's current device).
  virtual std::shared_ptr<const DescribedImage> describe(const HyperpixelFlow& flow,
                                                         StageTimings* timings) = 0;
  // Width and height after the flow's resize, when known before describing (for the memory check that
  // precedes any backbone pass); nullopt otherwise (the flow checks exact sizes before matching anyway).
  virtual std::optional<std::pair<int, int>> resized_size(const MatchOptions& options) const = 0;
  // The backbone moved to another device: drop anything described on the old one.
  virtual void forget() {}
};

class DecodedPairImage : public PairImage {
 public:
  explicit DecodedPairImage(const DecodedImage& image) : image_(image) {}
  std::shared_ptr<const DescribedImage> describe(const HyperpixelFlow& flow, StageTimings* timings) override;
  std::optional<std::pair<int, int>> resized_size(const MatchOptions& options) const override;

 private:
  const DecodedImage& image_;
};

// The pair job. Checks the memory budget (MemoryBudgetExceeded) before any backbone pass where the sizes are
// known, describes both images, runs the matching method the flow's options name. If a CUDA backbone runs out
// of GPU memory, it moves the backbone to the CPU (where it stays for the following pairs), makes both images
// forget what they computed on the GPU, runs the pair again and says so in MatchedPair::notice. Reports its
// stages (0..3 of 3) through `context` and stops between them when a cancel was requested (JobCancelled).
MatchedPair match_pair(const HyperpixelFlow& flow, PairImage& source, PairImage& target,
                       const JobContext& context = {});

// match_pair on two decoded images.
MatchedPair match_images(const HyperpixelFlow& flow, const DecodedImage& source, const DecodedImage& target);

struct TransferredPoint {
  std::optional<Point2>
      target;             // original target pixels; empty when no source hyperpixel covers the keypoint
  Point2 target_resized;  // resized target frame (NaN when uncovered), what PCK is computed on
  int64_t covering = 0;   // number of source hyperpixels whose box contains the keypoint
};

// Transfers keypoints given in original source pixels. Keypoints are scaled in float32 exactly as the
// reference scales them; `elapsed_ms` (optional) accumulates the time spent. Throws std::invalid_argument for
// a NaN/infinite coordinate or one outside the image.
std::vector<TransferredPoint> transfer_points(const MatchedPair& pair,
                                              const std::vector<Point2>& source_points,
                                              double* elapsed_ms = nullptr);

// The source keypoints in the resized frame, as float32 (K, 2) -- shared by transfer and evaluation.
at::Tensor scale_points(const std::vector<Point2>& points, float scale);

// A regular grid of `per_side` x `per_side` points inside the source image (original pixels), for `hpf match`
// without keypoints.
std::vector<Point2> grid_points(int width, int height, int per_side);

}  // namespace hpf
