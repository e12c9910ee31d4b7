#include "datasets/pf_willow.h"

#include <algorithm>

#include "datasets/csv.h"
#include "datasets/pair_geometry.h"
#include "datasets/source_dataset.h"

namespace hpf {
namespace {

constexpr size_t kKeypoints = 10;
constexpr size_t kColumns = 2 + 4 * kKeypoints;
const char* const kPairsFile = "test_pairs.csv";

class PfWillow : public SourceDataset {
 public:
  using SourceDataset::SourceDataset;

  std::string name() const override { return "pf-willow"; }
  std::vector<std::string> splits() const override { return {"test"}; }
  std::string default_split() const override { return "test"; }
  // The reference's sub-class list (object class + (G)/(M)/(S) viewpoint/clutter variant).
  std::vector<std::string> categories() const override {
    return {"car(G)",       "car(M)",       "car(S)",        "duck(S)",        "motorbike(G)",
            "motorbike(M)", "motorbike(S)", "winebottle(M)", "winebottle(wC)", "winebottle(woC)"};
  }
  ThresholdKind default_threshold() const override { return ThresholdKind::BoundingBox; }
  AnnotationKind annotation_kind() const override { return AnnotationKind::Keypoints; }

  std::vector<PairAnnotation> pairs(const std::string& split) const override {
    require_split(split);
    const std::string file = location(kPairsFile);
    std::vector<CsvRow> rows = parse_csv(read_text(kPairsFile), file);
    if (!rows.empty() && is_header_row(rows.front(), 2)) rows.erase(rows.begin());
    const std::vector<std::string> known = categories();
    std::vector<PairAnnotation> pairs;
    for (const CsvRow& row : rows) {
      require_columns(row, kColumns, file,
                      "source image, target image, 10 source x, 10 source y, 10 target x, 10 target y");
      const std::string where = file + " line " + std::to_string(row.line);
      PairAnnotation pair;
      pair.id = std::to_string(pairs.size());
      pair.source_image = strip_first_component(row.fields[0], where + ", column 1 (source image)");
      pair.target_image = strip_first_component(row.fields[1], where + ", column 2 (target image)");
      pair.category = path_component(pair.source_image, 0);
      if (std::find(known.begin(), known.end(), pair.category) == known.end()) {
        throw DatasetError(where +
                           ", column 1 (source image): expected a PF-WILLOW sub-class folder such as "
                           "'car(G)', found '" +
                           pair.category + "'");
      }
      for (size_t k = 0; k < kKeypoints; ++k) {
        const std::string n = std::to_string(k + 1);
        pair.source_kps.push_back({csv_double(row, 2 + k, file, "source x" + n),
                                   csv_double(row, 2 + kKeypoints + k, file, "source y" + n)});
        pair.target_kps.push_back({csv_double(row, 2 + 2 * kKeypoints + k, file, "target x" + n),
                                   csv_double(row, 2 + 3 * kKeypoints + k, file, "target y" + n)});
      }
      pair.kps_ids = iota_ids(kKeypoints);
      keep_pairwise_visible(pair);
      pair.source_bbox = keypoint_extent(pair.source_kps, where);
      pair.target_bbox = keypoint_extent(pair.target_kps, where);
      pair.has_bbox = true;
      pairs.push_back(std::move(pair));
    }
    return pairs;
  }
};

}  // namespace

std::unique_ptr<Dataset> open_pf_willow(const std::string& folder_or_archive) {
  return std::make_unique<PfWillow>(open_source(folder_or_archive, kPairsFile));
}

}  // namespace hpf
