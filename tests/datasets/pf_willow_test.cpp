#include "datasets/pf_willow.h"

#include <cmath>
#include <sstream>

#include "tests/datasets/fixtures.h"

namespace hpf {
namespace {

// Source keypoint k of row r is (10r + k, 100 + k); target keypoint is (200 + k, 300 + 2k), so every value is
// predictable. `nan_target` makes that target keypoint's x "NaN".
std::string willow_row(int r, const std::string& source, const std::string& target, int nan_target = -1) {
  std::ostringstream row;
  row << "PF-dataset/" << source << ",PF-dataset/" << target;
  for (int k = 0; k < 10; ++k) row << "," << 10 * r + k + 0.25;
  for (int k = 0; k < 10; ++k) row << "," << 100 + k;
  for (int k = 0; k < 10; ++k) row << "," << (k == nan_target ? std::string("NaN") : std::to_string(200 + k));
  for (int k = 0; k < 10; ++k) row << "," << 300 + 2 * k;
  return row.str() + "\n";
}

std::string willow_header() {
  std::string header = "imageA,imageB";
  for (const char* group : {"XA", "YA", "XB", "YB"}) {
    for (int k = 1; k <= 10; ++k) header += "," + std::string(group) + std::to_string(k);
  }
  return header + "\n";
}

void write_willow(const test::TempDir& dir, const std::string& rows) {
  dir.write("PF-WILLOW/test_pairs.csv", willow_header() + rows);
  dir.write_png("PF-WILLOW/car(G)/Cars_000a.png", 4, 3, 10, 20, 30);
  dir.write_png("PF-WILLOW/car(G)/Cars_001b.png", 5, 2, 40, 50, 60);
}

void expect_willow_pairs(const Dataset& dataset) {
  EXPECT_EQ(dataset.name(), "pf-willow");
  EXPECT_EQ(dataset.splits(), std::vector<std::string>{"test"});
  EXPECT_EQ(dataset.default_split(), "test");
  EXPECT_EQ(dataset.default_threshold(), ThresholdKind::BoundingBox);
  EXPECT_EQ(dataset.annotation_kind(), AnnotationKind::Keypoints);
  EXPECT_EQ(dataset.categories().size(), 10u);
  const std::vector<PairAnnotation> pairs = dataset.pairs("test");
  ASSERT_EQ(pairs.size(), 2u);

  const PairAnnotation& first = pairs[0];
  EXPECT_EQ(first.id, "0");
  EXPECT_EQ(first.source_image, "car(G)/Cars_000a.png");
  EXPECT_EQ(first.target_image, "car(G)/Cars_001b.png");
  EXPECT_EQ(first.category, "car(G)");
  ASSERT_EQ(first.source_kps.size(), 10u);
  ASSERT_EQ(first.target_kps.size(), 10u);
  for (int k = 0; k < 10; ++k) {
    EXPECT_EQ(first.source_kps[k].x, k + 0.25);
    EXPECT_EQ(first.source_kps[k].y, 100 + k);
    EXPECT_EQ(first.target_kps[k].x, 200 + k);
    EXPECT_EQ(first.target_kps[k].y, 300 + 2 * k);
    EXPECT_EQ(first.kps_ids[k], k);
  }
  EXPECT_TRUE(first.has_bbox);
  EXPECT_EQ(first.source_bbox, (std::array<double, 4>{0.25, 100, 9.25, 109}));
  EXPECT_EQ(first.target_bbox, (std::array<double, 4>{200, 300, 209, 318}));
  EXPECT_EQ(first.viewpoint_variation, -1);
  EXPECT_EQ(first.mirror, -1);
  EXPECT_FALSE(first.flip);
  // PF-WILLOW's T = max extent of the target keypoints = max(9, 18).
  EXPECT_EQ(pck_threshold(first, dataset.default_threshold(), 1000, 1000), 18.0);

  const PairAnnotation& second = pairs[1];
  EXPECT_EQ(second.id, "1");
  EXPECT_EQ(second.category, "duck(S)");
  ASSERT_EQ(second.source_kps.size(), 10u);
  ASSERT_EQ(second.target_kps.size(), 10u);
  EXPECT_EQ(second.kps_ids, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(second.source_kps[3].x, 10 + 3 + 0.25);
  EXPECT_EQ(second.target_kps[3].x, 203);
  EXPECT_EQ(second.target_kps[3].y, 306);

  const cv::Mat image = load_image(dataset, first.source_image);
  EXPECT_EQ(image.cols, 4);
  EXPECT_EQ(image.rows, 3);
  EXPECT_EQ(image.type(), CV_8UC3);
  EXPECT_EQ(image.at<cv::Vec3b>(1, 1), cv::Vec3b(10, 20, 30));  // RGB order
}

const std::string kTwoRows = willow_row(0, "car(G)/Cars_000a.png", "car(G)/Cars_001b.png") +
                             willow_row(1, "duck(S)/Duck_000.png", "duck(S)/Duck_001.png");

TEST(DatasetsPfWillow, ReadsEveryFieldFromAFolder) {
  test::TempDir dir;
  write_willow(dir, kTwoRows);
  expect_willow_pairs(*open_dataset("pf-willow", dir.path()));
  expect_willow_pairs(*open_dataset("PFWillow", dir.path() + "/PF-WILLOW"));  // alias, root given directly
}

TEST(DatasetsPfWillow, ReadsTheSameFromZipAndTarGz) {
  test::TempDir dir;
  write_willow(dir, kTwoRows);
  test::make_zip(dir.path() + "/PF-WILLOW", dir.path() + "/willow.zip", "PF-WILLOW/");
  test::make_tar_gz(dir.path() + "/PF-WILLOW", dir.path() + "/willow.tgz", "PF-WILLOW/");
  expect_willow_pairs(*open_dataset("pf-willow", dir.path() + "/willow.zip"));
  expect_willow_pairs(*open_dataset("pf-willow", dir.path() + "/willow.tgz"));
}

TEST(DatasetsPfWillow, CorruptCsvNamesFileLineAndField) {
  test::TempDir dir;
  const std::string file = dir.path() + "/PF-WILLOW/test_pairs.csv";
  write_willow(dir, kTwoRows + "PF-dataset/car(G)/a.png,PF-dataset/car(G)/b.png,1,2\n");
  const auto dataset = open_dataset("pf-willow", dir.path());
  EXPECT_DATASET_ERROR(dataset->pairs("test"), file + " line 4: expected 42 columns", "found 4");

  // PF-WILLOW annotates all 10 keypoints: NaN is not "invisible" there but a broken file (it once dropped the
  // keypoint silently).
  write_willow(dir, kTwoRows + willow_row(2, "car(G)/a.png", "car(G)/b.png", 3));
  EXPECT_DATASET_ERROR(dataset->pairs("test"), file + " line 4, column 26 (target x4)",
                       "expected a finite number, found 'NaN'");

  std::string row = willow_row(2, "car(G)/a.png", "car(G)/b.png");
  row.replace(row.find(",102,"), 5, ",1o2,");  // source y3
  write_willow(dir, kTwoRows + row);
  EXPECT_DATASET_ERROR(dataset->pairs("test"), file + " line 4, column 15 (source y3)",
                       "expected a number, found '1o2'");

  write_willow(dir,
               willow_row(0, "car(G)/a.png", "car(G)/b.png") + willow_row(1, "cat(X)/a.png", "cat(X)/b.png"));
  EXPECT_DATASET_ERROR(dataset->pairs("test"), file + " line 3, column 1 (source image)", "found 'cat(X)'");

  const std::string values = willow_row(0, "x", "y");
  write_willow(
      dir, "no-prefix.png,PF-dataset/car(G)/b.png" + values.substr(values.find(',', values.find(',') + 1)));
  EXPECT_DATASET_ERROR(dataset->pairs("test"), file + " line 2, column 1 (source image)",
                       "found 'no-prefix.png'");

  EXPECT_DATASET_ERROR(dataset->pairs("trn"), "pf-willow: unknown split 'trn'; expected one of: test");
}

TEST(DatasetsPfWillow, MissingPairFileIsAClearError) {
  test::TempDir dir;
  dir.write("PF-WILLOW/car(G)/readme.txt", "no csv here");
  EXPECT_DATASET_ERROR(open_dataset("pf-willow", dir.path()), "no 'test_pairs.csv'");
  EXPECT_DATASET_ERROR(
      open_dataset("pf-sparrow", dir.path()),
      "unknown dataset kind 'pf-sparrow'; expected one of: spair, pf-pascal, pf-willow, caltech");
}

}  // namespace
}  // namespace hpf
