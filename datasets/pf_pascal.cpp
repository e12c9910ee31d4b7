#include "datasets/pf_pascal.h"

#include <map>

#include "datasets/csv.h"
#include "datasets/mat_file.h"
#include "datasets/pair_geometry.h"
#include "datasets/source_dataset.h"

namespace hpf {
namespace {

struct ImageAnnotation {
  std::vector<Keypoint> kps;
  std::array<double, 4> bbox{};
};

std::string without_extension(const std::string& file_name) {
  const size_t dot = file_name.rfind('.');
  return dot == std::string::npos ? file_name : file_name.substr(0, dot);
}

class PfPascal : public SourceDataset {
 public:
  using SourceDataset::SourceDataset;

  std::string name() const override { return "pf-pascal"; }
  std::vector<std::string> splits() const override { return {"trn", "val", "test"}; }
  std::string default_split() const override { return "test"; }
  std::vector<std::string> categories() const override { return pascal_classes(); }
  ThresholdKind default_threshold() const override { return ThresholdKind::Image; }
  AnnotationKind annotation_kind() const override { return AnnotationKind::Keypoints; }

  std::vector<PairAnnotation> pairs(const std::string& split) const override {
    require_split(split);
    const std::string csv_name = split + "_pairs.csv";
    const std::string file = location(csv_name);
    std::vector<CsvRow> rows = parse_csv(read_text(csv_name), file);
    if (!rows.empty() && is_header_row(rows.front(), 2)) rows.erase(rows.begin());
    std::map<std::string, ImageAnnotation> cache;  // images recur across pairs
    std::vector<PairAnnotation> pairs;
    for (const CsvRow& row : rows) {
      if (row.fields.size() != 3) {
        require_columns(row, 4, file, "source image, target image, class id, flip; or the first three");
      }
      const int class_id = csv_int(row, 2, file, "class");
      if (class_id < 1 || class_id > int(pascal_classes().size())) {
        throw DatasetError(file + " line " + std::to_string(row.line) + ", column 3 (class): expected 1.." +
                           std::to_string(pascal_classes().size()) + ", found " + std::to_string(class_id));
      }
      PairAnnotation pair;
      pair.id = std::to_string(pairs.size());
      pair.category = pascal_classes()[size_t(class_id - 1)];
      pair.flip = row.fields.size() == 4 && csv_int(row, 3, file, "flip") != 0;
      const std::string source_name = path_basename(row.fields[0]);
      const std::string target_name = path_basename(row.fields[1]);
      pair.source_image = "JPEGImages/" + source_name;
      pair.target_image = "JPEGImages/" + target_name;
      const std::string source_mat = annotation_path(pair.category, source_name);
      const std::string target_mat = annotation_path(pair.category, target_name);
      const ImageAnnotation& source = annotation(source_mat, cache);
      const ImageAnnotation& target = annotation(target_mat, cache);
      if (source.kps.size() != target.kps.size()) {
        throw DatasetError(file + " line " + std::to_string(row.line) + ": keypoint counts differ: " +
                           location(source_mat) + " has " + std::to_string(source.kps.size()) + ", " +
                           location(target_mat) + " has " + std::to_string(target.kps.size()));
      }
      pair.source_kps = source.kps;
      pair.target_kps = target.kps;
      pair.kps_ids = iota_ids(source.kps.size());
      keep_pairwise_visible(pair);
      if (pair.source_kps.empty()) {
        throw DatasetError(file + " line " + std::to_string(row.line) +
                           ": no keypoint is visible in both images; expected at least one");
      }
      pair.source_bbox = source.bbox;
      pair.target_bbox = target.bbox;
      pair.has_bbox = true;
      pairs.push_back(std::move(pair));
    }
    return pairs;
  }

 private:
  static std::string annotation_path(const std::string& category, const std::string& image_name) {
    return "Annotations/" + category + "/" + without_extension(image_name) + ".mat";
  }

  const ImageAnnotation& annotation(const std::string& path,
                                    std::map<std::string, ImageAnnotation>& cache) const {
    const auto cached = cache.find(path);
    if (cached != cache.end()) return cached->second;
    const std::string where = location(path);
    const std::vector<uint8_t> bytes = read_file(path);
    const MatMatrix kps = read_mat_matrix(bytes, "kps", where);
    if (kps.cols != 2 || kps.rows == 0) {
      throw DatasetError(where + ": variable 'kps': expected an N x 2 matrix of (x, y), found " +
                         std::to_string(kps.rows) + " x " + std::to_string(kps.cols));
    }
    const MatMatrix bbox = read_mat_matrix(bytes, "bbox", where);
    if (bbox.values.size() != 4) {
      throw DatasetError(where + ": variable 'bbox': expected 4 values [x1 y1 x2 y2], found " +
                         std::to_string(bbox.rows) + " x " + std::to_string(bbox.cols));
    }
    ImageAnnotation result;
    for (size_t r = 0; r < kps.rows; ++r) result.kps.push_back({kps.at(r, 0), kps.at(r, 1)});
    for (size_t i = 0; i < 4; ++i) result.bbox[i] = bbox.values[i];
    return cache.emplace(path, std::move(result)).first->second;
  }
};

}  // namespace

const std::vector<std::string>& pascal_classes() {
  static const std::vector<std::string> classes = {
      "aeroplane", "bicycle",     "bird",  "boat",        "bottle", "bus",      "car",
      "cat",       "chair",       "cow",   "diningtable", "dog",    "horse",    "motorbike",
      "person",    "pottedplant", "sheep", "sofa",        "train",  "tvmonitor"};
  return classes;
}

std::unique_ptr<Dataset> open_pf_pascal(const std::string& folder_or_archive) {
  return std::make_unique<PfPascal>(open_source(folder_or_archive, "Annotations"));
}

}  // namespace hpf
