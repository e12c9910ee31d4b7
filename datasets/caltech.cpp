#include "datasets/caltech.h"

#include <cmath>

#include "datasets/csv.h"
#include "datasets/pair_geometry.h"
#include "datasets/source_dataset.h"

namespace hpf {
namespace {

const char* const kPairsFile = "test_pairs_caltech_with_category.csv";

// Zips a polygon's x-list and y-list; they must have the same length and at least 3 vertices.
std::vector<Keypoint> polygon(const CsvRow& row, size_t x_column, const std::string& file,
                              const std::string& side) {
  const std::vector<double> xs = csv_double_list(row, x_column, file, side + " x-list");
  const std::vector<double> ys = csv_double_list(row, x_column + 1, file, side + " y-list");
  if (xs.size() != ys.size() || xs.size() < 3) {
    throw DatasetError(file + " line " + std::to_string(row.line) + ": " + side +
                       " polygon: expected x- and y-lists of equal length (at least 3 vertices), found " +
                       std::to_string(xs.size()) + " x and " + std::to_string(ys.size()) + " y values");
  }
  std::vector<Keypoint> points;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) {
      throw DatasetError(file + " line " + std::to_string(row.line) + ": " + side + " polygon vertex " +
                         std::to_string(i + 1) + ": expected finite coordinates, found a NaN or infinity");
    }
    points.push_back({xs[i], ys[i]});
  }
  return points;
}

class Caltech : public SourceDataset {
 public:
  using SourceDataset::SourceDataset;

  std::string name() const override { return "caltech"; }
  std::vector<std::string> splits() const override { return {"test"}; }
  std::string default_split() const override { return "test"; }
  std::vector<std::string> categories() const override { return caltech_classes(); }
  // Unused for mask transfer; the image size is the natural scale if a caller wants PCK anyway.
  ThresholdKind default_threshold() const override { return ThresholdKind::Image; }
  AnnotationKind annotation_kind() const override { return AnnotationKind::Polygon; }

  std::vector<PairAnnotation> pairs(const std::string& split) const override {
    require_split(split);
    const std::string file = location(kPairsFile);
    std::vector<CsvRow> rows = parse_csv(read_text(kPairsFile), file);
    if (!rows.empty() && is_header_row(rows.front(), 2)) rows.erase(rows.begin());
    std::vector<PairAnnotation> pairs;
    for (const CsvRow& row : rows) {
      require_columns(row, 7, file,
                      "source image, target image, class id, source x-list, source y-list, "
                      "target x-list, target y-list");
      const std::string where = file + " line " + std::to_string(row.line);
      const int class_id = csv_int(row, 2, file, "class");
      if (class_id < 1 || class_id > int(caltech_classes().size())) {
        throw DatasetError(where + ", column 3 (class): expected 1.." +
                           std::to_string(caltech_classes().size()) + ", found " + std::to_string(class_id));
      }
      PairAnnotation pair;
      pair.id = std::to_string(pairs.size());
      pair.category = caltech_classes()[size_t(class_id - 1)];
      pair.source_image =
          "101_ObjectCategories/" + strip_first_component(row.fields[0], where + ", column 1 (source image)");
      pair.target_image =
          "101_ObjectCategories/" + strip_first_component(row.fields[1], where + ", column 2 (target image)");
      pair.source_kps = polygon(row, 3, file, "source");
      pair.target_kps = polygon(row, 5, file, "target");
      pair.source_bbox = keypoint_extent(pair.source_kps, where);
      pair.target_bbox = keypoint_extent(pair.target_kps, where);
      pair.has_bbox = true;
      pairs.push_back(std::move(pair));
    }
    return pairs;
  }
};

}  // namespace

const std::vector<std::string>& caltech_classes() {
  static const std::vector<std::string> classes = {
      "Faces",         "Faces_easy",  "Leopards",      "Motorbikes",  "accordion",    "airplanes",
      "anchor",        "ant",         "barrel",        "bass",        "beaver",       "binocular",
      "bonsai",        "brain",       "brontosaurus",  "buddha",      "butterfly",    "camera",
      "cannon",        "car_side",    "ceiling_fan",   "cellphone",   "chair",        "chandelier",
      "cougar_body",   "cougar_face", "crab",          "crayfish",    "crocodile",    "crocodile_head",
      "cup",           "dalmatian",   "dollar_bill",   "dolphin",     "dragonfly",    "electric_guitar",
      "elephant",      "emu",         "euphonium",     "ewer",        "ferry",        "flamingo",
      "flamingo_head", "garfield",    "gerenuk",       "gramophone",  "grand_piano",  "hawksbill",
      "headphone",     "hedgehog",    "helicopter",    "ibis",        "inline_skate", "joshua_tree",
      "kangaroo",      "ketch",       "lamp",          "laptop",      "llama",        "lobster",
      "lotus",         "mandolin",    "mayfly",        "menorah",     "metronome",    "minaret",
      "nautilus",      "octopus",     "okapi",         "pagoda",      "panda",        "pigeon",
      "pizza",         "platypus",    "pyramid",       "revolver",    "rhino",        "rooster",
      "saxophone",     "schooner",    "scissors",      "scorpion",    "sea_horse",    "snoopy",
      "soccer_ball",   "stapler",     "starfish",      "stegosaurus", "stop_sign",    "strawberry",
      "sunflower",     "tick",        "trilobite",     "umbrella",    "watch",        "water_lilly",
      "wheelchair",    "wild_cat",    "windsor_chair", "wrench",      "yin_yang"};
  return classes;
}

std::unique_ptr<Dataset> open_caltech(const std::string& folder_or_archive) {
  return std::make_unique<Caltech>(open_source(folder_or_archive, kPairsFile));
}

}  // namespace hpf
