#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "datasets/dataset_error.h"

namespace hpf {

struct Keypoint {
  double x = 0, y = 0;
};

// One annotated image pair, in ORIGINAL image pixels.
struct PairAnnotation {
  std::string
      id;  // stable: SPair "000001-2008_000585-2008_000008:aeroplane"; CSV datasets the 0-based data row
  std::string source_image,
      target_image;  // paths relative to the dataset root (read with Dataset::read_file)
  std::string category;
  // Keypoint datasets: same length, row i of source matches row i of target; rows invisible (NaN) in either
  // image are already dropped. Caltech-101 (AnnotationKind::Polygon): the mask polygon vertices of each
  // image, whose counts differ between source and target.
  std::vector<Keypoint> source_kps, target_kps;
  std::vector<int>
      kps_ids;  // SPair's keypoint ids; 0..n-1 for the other keypoint datasets; empty for polygons
  std::array<double, 4> source_bbox{}, target_bbox{};  // [x1, y1, x2, y2]
  bool has_bbox = false;
  // SPair difficulty flags, -1 where the dataset has none. viewpoint/scale: 0 easy, 1 medium, 2 hard;
  // truncation/occlusion: 0 none, 1 source, 2 target, 3 both; mirror: 0/1.
  int viewpoint_variation = -1, scale_variation = -1, truncation = -1, occlusion = -1, mirror = -1;
  bool flip = false;  // PF-PASCAL "trn" augmentation flag, stored as found; nothing is flipped here
};

// What T in "correct if ||pred - gt|| <= alpha * T" is.
enum class ThresholdKind {
  Image,        // max(H, W) of the target image (PF-PASCAL)
  BoundingBox,  // max(w, h) of the target bounding box (SPair-71k: trg_bndbox; PF-WILLOW: keypoint extent)
};

enum class AnnotationKind {
  Keypoints,  // PCK evaluation
  Polygon,    // Caltech-101: mask polygons, LT-ACC / IoU evaluation
};

// A correspondence benchmark opened from a folder or an archive. Thread-safe for concurrent const use.
class Dataset {
 public:
  virtual ~Dataset() = default;

  virtual std::string name() const = 0;  // "spair", "pf-pascal", "pf-willow", "caltech"
  virtual std::vector<std::string> splits() const = 0;
  virtual std::string default_split() const = 0;  // the split the paper evaluates on
  virtual std::vector<std::string> categories() const = 0;
  virtual ThresholdKind default_threshold() const = 0;
  virtual AnnotationKind annotation_kind() const = 0;

  // All pairs of a split, in file order. Re-reads the annotations on every call. Throws DatasetError for an
  // unknown split or any malformed/missing annotation (file, line/field, expected vs found).
  virtual std::vector<PairAnnotation> pairs(const std::string& split) const = 0;

  // Raw bytes of a file inside the dataset (images etc.); throws DatasetError.
  virtual std::vector<uint8_t> read_file(const std::string& relative_path) const = 0;
  // Where that file is, for messages ("/data/PF-WILLOW/car(G)/x.png", "/dl/PF.zip:PF-WILLOW/car(G)/x.png").
  virtual std::string location(const std::string& relative_path) const = 0;
};

// Extra choices for open_dataset.
struct DatasetOptions {
  std::string spair_layout = "large";  // SPair-71k Layout/<large|small>/
};

// Dataset kinds open_dataset accepts, canonical names: {"spair", "pf-pascal", "pf-willow", "caltech"}.
std::vector<std::string> dataset_kinds();

// Opens a dataset of `kind` (canonical name or alias: "spair-71k", "pfpascal", "pfwillow", "caltech-101")
// from its folder or downloaded archive (.zip, .tar, .tar.gz, .tgz). Throws DatasetError for an unknown kind
// or when the dataset's marker file is not found.
std::unique_ptr<Dataset> open_dataset(const std::string& kind, const std::string& root_or_archive,
                                      const DatasetOptions& options = {});

// Decodes an image of the dataset to 8-bit RGB (CV_8UC3; grey and 16-bit images are converted). Throws
// DatasetError naming the file when it is missing or not a decodable image.
cv::Mat load_image(const Dataset& dataset, const std::string& relative_path);

// T of the PCK criterion in ORIGINAL target pixels. Image: max(target_width, target_height); BoundingBox:
// max(w, h) of pair.target_bbox. Throws DatasetError when the pair has no box or the result is not positive.
double pck_threshold(const PairAnnotation& pair, ThresholdKind kind, int target_width, int target_height);

}  // namespace hpf
